"""Every string of the interface, in Chinese and English.

``t(key, lang)`` returns the text; vocabulary terms (grades, levels, types)
come from :mod:`domain` through :func:`term_label`.
"""

from __future__ import annotations

from domain import Term

LANGS = ("zh", "en")

STRINGS: dict[str, tuple[str, str]] = {
    "app_title": ("应急指挥“四张图”", "Emergency command: the four maps"),
    "map_risk": ("风险隐患图", "Risks and hidden dangers"),
    "map_materials": ("物资装备图", "Materials and equipment"),
    "map_forces": ("防控力量分布图", "Prevention and rescue forces"),
    "map_command": ("指挥体系图", "Command system"),
    "filter_townships": ("乡镇（街道）", "Townships"),
    "filter_townships_all": ("全区", "Whole district"),
    "filter_level": ("响应级别", "Response level"),
    "filter_level_all": ("全部（不按响应级别）", "All (no response level)"),
    "filter_grades": ("风险等级", "Risk grades"),
    "language": ("语言", "Language"),
    "fig_points": ("风险隐患点", "Risk points"),
    "fig_hidden_open": ("隐患未整改", "Hidden dangers open"),
    "fig_hidden_rectified": ("隐患已整改", "Hidden dangers rectified"),
    "fig_rectification_rate": ("整改率", "Rectification rate"),
    "fig_woven_bag": ("编织袋（条）", "Woven bags (pcs)"),
    "fig_sand": ("砂石料（立方米）", "Sand and gravel (m³)"),
    "fig_life_jacket": ("救生衣（件）", "Life jackets (pcs)"),
    "fig_boats": ("库存舟艇（艘）", "Boats in depots"),
    "fig_pump": ("抽水泵（台套）", "Pumps (sets)"),
    "fig_people": ("人员", "People"),
    "fig_vehicles": ("车辆", "Vehicles"),
    "fig_force_boats": ("队伍舟艇（艘）", "Boats with teams"),
    "fig_nodes_on_duty": ("指挥节点在岗", "Command nodes on duty"),
    "legend_outline": ("乡镇边界", "Township boundaries"),
    "legend_links": ("指挥关系", "Command links"),
    "legend_aggregate": ("按乡镇汇总", "Totals by township"),
    "record_title": ("详细信息", "Details"),
    "record_hint": ("点击地图上的点查看详细信息", "Click a point on a map to see its full record"),
    "chain_title": ("指挥链", "Chain of command"),
    "no_response": ("未启动应急响应", "No emergency response active"),
    "response_in_force": ("应急响应", "Emergency response"),
    "data_updated": ("数据更新于", "Data updated"),
    "stale": (
        "数据库无法连接，数据自 {time} 起未更新",
        "Database unreachable: data not updated since {time}",
    ),
    "count": ("数量", "Count"),
    "major_count": ("重大风险", "Major"),
    "on_duty_count": ("在岗", "On duty"),
    "hover_click": ("点击查看详情", "Click for details"),
    "hover_woven_bag": ("编织袋", "Bags"),
    "hover_life_jacket": ("救生衣", "Life jackets"),
    "hover_boats": ("库存舟艇", "Boats"),
    "headcount": ("人数", "Headcount"),
    "stock": ("库存", "Stock"),
    "none": ("无", "none"),
    "field_code": ("编号", "Code"),
    "field_name": ("名称", "Name"),
    "field_township": ("所属乡镇", "Township"),
    "field_category": ("类别", "Category"),
    "field_kind": ("类型", "Kind"),
    "field_grade": ("风险等级", "Grade"),
    "field_responsible": ("责任人", "Responsible person"),
    "field_phone": ("电话", "Phone"),
    "field_leader": ("包保领导", "Supervising leader"),
    "field_people": ("威胁人数", "People threatened"),
    "field_households": ("威胁户数", "Households threatened"),
    "field_rectification": ("整改状态", "Rectification"),
    "field_deadline": ("整改期限", "Deadline"),
    "field_inspection": ("最近巡查", "Last inspection"),
    "field_level": ("级别", "Level"),
    "field_keeper": ("保管员", "Keeper"),
    "field_mobilise": ("启动响应级别", "Mobilised from"),
    "field_type": ("队伍类型", "Type"),
    "field_headcount": ("人数", "Headcount"),
    "field_vehicles": ("车辆", "Vehicles"),
    "field_boats": ("舟艇（艘）", "Boats"),
    "field_status": ("状态", "Status"),
    "field_duty_officer": ("值班人员", "Duty officer"),
    "field_channels": ("联络方式", "Channels"),
    "field_parent": ("上级", "Reports to"),
    "url_ignored": ("已忽略网址参数", "Ignored in the address"),
    "url_township": ("无此乡镇编码", "no township has this code"),
    "url_level": ("响应级别应为 1–4 或 all", "the response level is 1–4 or all"),
    "url_lang": ("语言应为 zh 或 en", "the language is zh or en"),
    "url_unknown": ("无法使用", "not usable"),
    "legend_overdue": ("逾期未整改", "Overdue"),
    "legend_deployed": ("已出动（外圈）", "Deployed (ring)"),
    "legend_resting": ("休整（灰心）", "Resting (grey centre)"),
    "legend_off_duty": ("离岗（灰心）", "Off duty (grey centre)"),
    "totals_open_major": ("最高：重大风险", "Highest open: major"),
    "totals_open_larger": ("最高：较大风险", "Highest open: larger"),
    "totals_open_general": ("最高：一般风险", "Highest open: general"),
    "totals_open_low": ("最高：低风险", "Highest open: low"),
    "totals_open_none": ("均已整改", "All rectified"),
    "totals_boats": ("有舟艇", "Holds boats"),
    "totals_no_boats": ("无舟艇", "No boats"),
    "totals_ready": ("八成以上待命", "80 %+ available"),
    "totals_short": ("待命不足八成", "Under 80 % available"),
    "totals_all_on_duty": ("全部在岗", "All on duty"),
    "totals_some_off_duty": ("有人离岗", "Some off duty"),
    "size_risk": ("按乡镇 · 大小：点数", "By township · size: points"),
    "size_materials": ("按乡镇 · 大小：编织袋", "By township · size: woven bags"),
    "size_forces": ("按乡镇 · 大小：待命人数", "By township · size: people available"),
    "size_command": ("按乡镇 · 大小：节点数", "By township · size: nodes"),
    "open_count": ("未销号", "Open"),
    "hover_pump": ("抽水泵", "Pumps"),
    "available_people": ("待命人数", "People available"),
    "scope_what_if": ("推演：{shown}（现行{force}）", "What-if: {shown} ({force} in force)"),
    "scope_all_levels": ("全部力量", "every force"),
    "scope_no_response": ("未启动响应", "no response"),
    "scope_grades": ("仅统计{grades}", "Only {grades}"),
    "kf_not_shown": ("（未选）", " (not shown)"),
    "kf_among_shown": ("（所选等级）", " (grades shown)"),
    "dropdown_select_all": ("全选", "Select all"),
    "dropdown_deselect_all": ("全不选", "Deselect all"),
    "dropdown_selected_count": ("已选 {num_selected} 个", "{num_selected} selected"),
    "dropdown_search": ("搜索", "Search"),
    "dropdown_clear_search": ("清除搜索", "Clear search"),
    "dropdown_clear_selection": ("清除选择", "Clear selection"),
    "dropdown_no_options_found": ("无匹配项", "No options found"),
}


def t(key: str, lang: str = "zh") -> str:
    """The text for ``key`` in ``lang`` (Chinese when the language is unknown)."""
    zh, en = STRINGS[key]
    return en if lang == "en" else zh


def term_label(term: Term, lang: str = "zh") -> str:
    """A vocabulary term's label in ``lang``."""
    return term.en if lang == "en" else term.zh


def name_of(row: dict, lang: str = "zh", column: str = "name") -> str:
    """A row's name in ``lang``, falling back to Chinese when no translation."""
    if lang == "en" and row.get(f"{column}_en"):
        return str(row[f"{column}_en"])
    return str(row.get(column) or "")


# Signing in, editing and history (the write side).
STRINGS.update(
    {
        "sign_out": ("退出", "Sign out"),
        "edit_new": ("新增…", "Add…"),
        "edit_new_risk_points": ("新增风险隐患点", "Add a risk point"),
        "edit_new_incidents": ("新建突发事件", "Open an incident"),
        "field_needs": ("所需物资和力量", "What is needed"),
        "field_incident_type": ("事件类型", "Type"),
        "legend_incidents": ("突发事件", "Incidents"),
        "legend_hazards": ("危险区域", "Hazard areas"),
        "legend_dispatch": ("调度路线", "Dispatched"),
        "edit_new_hazard_areas": ("划定危险区域", "Draw a hazard area"),
        "field_area": (
            "区域范围（角点：经度,纬度，每行一个）",
            "Area (corners: lon,lat, one a line)",
        ),
        "field_active": ("生效中", "In force"),
        "field_note": ("备注", "Note"),
        "draw_on_map": ("在地图上画", "Draw on the map"),
        "yes": ("是", "yes"),
        "no": ("否", "no"),
        "drawing": (
            "在地图上依次点击角点，双击结束…",
            "Click the corners on a map, double-click to end…",
        ),
        "inside_title": ("区域内", "Inside the area"),
        "inside_risk": (
            "风险隐患点 {n} 个，威胁 {people} 人（{households} 户）",
            "{n} risk points threatening {people} people ({households} households)",
        ),
        "inside_depots": ("可能被阻断的物资储备点 {n} 个", "{n} depots that may be cut off"),
        "inside_forces": ("可能被阻断的救援力量 {n} 支", "{n} forces that may be cut off"),
        "inside_stations": ("村级应急站 {n} 个", "{n} village stations"),
        "incidents": ("突发事件", "Incidents"),
        "incidents_none": ("没有处置中的突发事件。", "No open incident."),
        "recommend": ("处置建议与调度", "Recommend and dispatch"),
        "dispatch_log": ("调度记录", "Dispatch log"),
        "print_sheet": ("打印调度单", "Print the dispatch sheet"),
        "routing_road": (
            "按道路行程时间排序（已避开危险区域内的 {closed} 段道路）",
            "Ranked by travel time on the roads ({closed} segments closed by hazard areas)",
        ),
        "routing_straight": (
            "未加载路网：按直线距离×{detour}、{kmh} 公里/小时估算",
            "No road network loaded: straight line x{detour} at {kmh} km/h",
        ),
        "level_used": ("只列出 {level} 启动的资源", "Only what {level} mobilises"),
        "level_all": ("列出全部资源（不按响应级别）", "Everything, whatever the response level"),
        "widen": ("扩大到全部资源", "Widen to everything"),
        "depots_proposed": ("物资（就近调拨）", "Materials, nearest first"),
        "forces_proposed": ("力量（按到达时间）", "Forces, by arrival"),
        "short_title": ("仍然缺少", "Still short"),
        "nothing_short": ("所需均可满足。", "Everything needed is covered."),
        "chain_here": ("指挥链（事发乡镇起）", "Command chain, from the township"),
        "station_nearest": ("最近的村级应急站（按道路）", "Nearest village station by road"),
        "minutes": ("{m} 分钟", "{m} min"),
        "unreachable": ("道路不通", "cut off"),
        "confirm_dispatch": ("确认调度", "Confirm the dispatch"),
        "dispatched": (
            "已调度：{n} 项指令。库存已扣减，队伍已出动。",
            "Dispatched: {n} orders. Stock reserved, forces deployed.",
        ),
        "already_dispatched": (
            "这次调度已确认过，未重复扣减。",
            "Already confirmed: nothing taken twice.",
        ),
        "dispatch_refused": (
            "未调度，未扣减任何库存：{what}",
            "Not dispatched, nothing reserved: {what}",
        ),
        "order_material": ("{depot} → {item} {qty}", "{depot} → {item} {qty}"),
        "status_to_en_route": ("出发", "En route"),
        "status_to_on_site": ("到达", "On site"),
        "status_to_returned": ("归还", "Returned"),
        "status_to_consumed": ("已消耗", "Consumed"),
        "status_to_cancelled": ("取消", "Cancel"),
        "field_description": ("情况描述", "Description"),
        "field_reported_at": ("报告时间", "Reported"),
        "field_reporter": ("报告人", "Reporter"),
        "edit_new_depots": ("新增物资储备点", "Add a depot"),
        "edit_new_forces": ("新增救援力量", "Add a force"),
        "edit_new_command_nodes": ("新增指挥节点", "Add a command node"),
        "edit_new_response_activations": ("启动应急响应", "Declare a response"),
        "edit_new_weather_warnings": ("录入预警信号", "Record a weather warning"),
        "edit_response": ("调整当前响应", "Change the response in force"),
        "edit_warning": ("调整当前预警", "Change the warning in force"),
        "edit_title_new": ("新增：{what}", "New {what}"),
        "edit_title": ("编辑：{name}", "Edit: {name}"),
        "edit": ("编辑", "Edit"),
        "history": ("修改记录", "History"),
        "delete": ("删除", "Delete"),
        "save": ("保存", "Save"),
        "cancel": ("取消", "Cancel"),
        "saved": ("已保存：{name}（第 {version} 版）", "Saved: {name} (version {version})"),
        "created": ("已新增：{name}", "Added: {name}"),
        "deleted": (
            "已删除：{name}。管理员可从“已删除记录”恢复。",
            "Deleted: {name}. An administrator can restore it from Deleted records.",
        ),
        "confirm_delete": ("确定删除“{name}”？", "Delete {name}?"),
        "not_saved": ("未保存，请修改标出的内容。", "Not saved: see the fields marked."),
        "conflict": (
            "未保存：{who} 已于 {when} 修改了这条记录。您填写的内容仍在下方；"
            "核对后可在最新版本上重新保存。",
            "Not saved: {who} changed this record at {when}. Your entries are kept below; "
            "check them, then save them over the latest version.",
        ),
        "conflict_fields": ("对方改动的字段：{fields}", "Fields they changed: {fields}"),
        "reapply": ("在最新版本上保存我的内容", "Save my entries over the latest version"),
        "forbidden": ("您的角色无权进行此操作。", "Your role may not do this."),
        "in_use": (
            "无法删除：仍有记录引用它（{refs}）。",
            "Not deleted: still referred to ({refs}).",
        ),
        "gone": ("该记录已不存在。", "This record no longer exists."),
        "warnings": ("请注意：", "Please check:"),
        "field_name_en": ("英文名称", "Name in English"),
        "field_location": ("位置", "Location"),
        "field_lon": ("经度", "Longitude"),
        "field_lat": ("纬度", "Latitude"),
        "field_system": ("坐标系", "Coordinate system"),
        "system_wgs84": ("WGS 84（GPS）", "WGS 84 (GPS)"),
        "system_cgcs2000": ("CGCS2000（国家大地坐标系）", "CGCS2000 (official maps)"),
        "system_gcj02": ("GCJ-02（网络地图）", "GCJ-02 (web maps)"),
        "pick_on_map": ("在地图上点选", "Pick on the map"),
        "picking": ("请在任一地图上点击位置…", "Click a place on any map…"),
        "field_team_leader": ("负责人", "Leader"),
        "field_jurisdiction": ("所属辖区", "Jurisdiction"),
        "field_starts_at": ("开始时间", "Starts"),
        "field_ends_at": ("结束时间", "Ends"),
        "field_reason": ("原因", "Reason"),
        "field_reason_en": ("原因（英文）", "Reason in English"),
        "field_townships": ("范围（不选为全辖区）", "Townships (none: the whole jurisdiction)"),
        "field_identifier": ("预警编号", "Identifier"),
        "field_event": ("预警类别", "Event"),
        "field_event_en": ("预警类别（英文）", "Event in English"),
        "field_colour": ("预警颜色", "Colour"),
        "field_headline": ("标题", "Headline"),
        "field_headline_en": ("标题（英文）", "Headline in English"),
        "field_issued_at": ("发布时间", "Issued"),
        "field_expires_at": ("失效时间", "Expires"),
        "boundary_by_import": (
            "边界请通过导入或接口修改。",
            "Edit the boundary by import or the API.",
        ),
        "channel_phone": ("电话", "Phone"),
        "channel_dingtalk": ("钉钉", "DingTalk"),
        "channel_video": ("视频", "Video"),
        "channel_satellite": ("卫星电话", "Satellite phone"),
        "channel_radio": ("电台", "Radio"),
        "history_title": ("修改记录：{name}", "History: {name}"),
        "history_empty": (
            "没有修改记录（数据导入后未被修改）。",
            "No changes since the data was loaded.",
        ),
        "action_create": ("新增", "created"),
        "action_update": ("修改", "changed"),
        "action_delete": ("删除", "deleted"),
        "action_restore": ("恢复", "restored"),
        "action_revert": ("撤销修改", "reverted"),
        "revert": ("撤销此修改", "Revert this change"),
        "restore": ("恢复", "Restore"),
        "reverted": ("已撤销修改 #{entry}。", "Change #{entry} reverted."),
        "revert_blocked": (
            "之后的修改改动了相同字段，请先撤销之后的修改。",
            "A later change touched the same fields: revert that one first.",
        ),
        "restored": ("已恢复：{name}", "Restored: {name}"),
        "deleted_title": ("已删除记录", "Deleted records"),
        "deleted_empty": ("没有可恢复的记录。", "Nothing to restore."),
    }
)


def dropdown_labels(lang: str = "zh") -> dict[str, str]:
    """The words a ``dcc.Dropdown`` writes itself ("Search", "Select All"), in ``lang``."""
    keys = ("select_all", "deselect_all", "selected_count", "search", "clear_search",
            "clear_selection", "no_options_found")  # fmt: skip
    return {key: t(f"dropdown_{key}", lang) for key in keys}


# Files in and out: the import panel and the export links (dashboard/imports.py).
STRINGS.update(
    {
        "files_open": ("导入 / 导出", "Import / export"),
        "files_title": ("导入文件", "Import a file"),
        "files_layer": ("导入到", "Into"),
        "files_layer_townships": ("乡镇", "Townships"),
        "files_layer_risk_points": ("风险隐患点", "Risk points"),
        "files_layer_depots": ("物资储备点", "Depots"),
        "files_layer_forces": ("救援力量", "Forces"),
        "files_layer_command_nodes": ("指挥节点", "Command nodes"),
        "files_crs": ("坐标系", "Coordinates in"),
        "files_crs_file": ("按文件", "As the file says"),
        "files_crs_wgs84": ("WGS 84", "WGS 84"),
        "files_crs_cgcs2000": ("CGCS2000", "CGCS2000"),
        "files_crs_gcj02": ("GCJ-02（网络地图）", "GCJ-02 (web maps)"),
        "files_drop": (
            "拖入或点击选择文件：CSV、xlsx、GeoJSON、Shapefile（zip）、GeoPackage，最大 {limit} MB",
            "Drop or choose a file: CSV, xlsx, GeoJSON, Shapefile (zip), GeoPackage; "
            "at most {limit} MB",
        ),
        "files_summary": (
            "{file}：编码 {encoding}，坐标系 {crs}。新增 {added}，更新 {updated}，"
            "无变化 {unchanged}，拒绝 {rejected}",
            "{file}: encoding {encoding}, coordinates {crs}. {added} to add, "
            "{updated} to update, {unchanged} unchanged, {rejected} rejected",
        ),
        "files_col_row": ("行号", "Row"),
        "files_col_code": ("编号", "Code"),
        "files_col_action": ("处理", "Action"),
        "files_col_why": ("原因", "Why"),
        "files_action_add": ("新增", "Add"),
        "files_action_update": ("更新", "Update"),
        "files_action_unchanged": ("无变化", "Unchanged"),
        "files_action_reject": ("拒绝", "Rejected"),
        "files_more": ("另有 {n} 行未显示", "{n} more rows not shown"),
        "files_commit": ("确认导入", "Import"),
        "files_commit_partial": (
            "只导入通过检查的行（被拒绝的行记入导入记录）",
            "Import the accepted rows only (the rejected rows are listed in the import's record)",
        ),
        "files_committed": (
            "已导入（第 {n} 次导入）：新增 {added}，更新 {updated}，未导入 {left} 行",
            "Imported (import #{n}): {added} added, {updated} updated, {left} rows left out",
        ),
        "files_not_committed": (
            "未导入任何数据：有行被拒绝，请修改文件后重新上传",
            "Nothing was imported: rows were rejected; fix the file and upload it again",
        ),
        "files_export": ("导出（按当前筛选）", "Export (as filtered on screen)"),
        "files_offline_map": ("离线地图（HTML）", "Offline map (HTML)"),
    }
)
