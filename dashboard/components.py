"""Small pieces of page shared by the screens: key figures, banners, details."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd
from dash import html

from dashboard.figures import level_label
from dashboard.i18n import STRINGS, name_of, t, term_label
from domain import (
    COMMAND_LEVELS,
    DEPOT_LEVELS,
    FORCE_STATUSES,
    FORCE_TYPES,
    MATERIAL_CATALOGUE,
    NODE_STATUSES,
    RECTIFICATION_STATUSES,
    RESPONSE_LEVELS,
    RISK_CATEGORIES,
    RISK_GRADES,
    RISK_KINDS,
    WARNING_COLOURS,
    Term,
    term,
)
from layers import Filter
from layers.summary import KeyFigures


def _figure(
    label: str, value: str, colour: str | None = None, key: str = "", off: bool = False
) -> html.Div:
    style = {"borderTopColor": colour} if colour else None
    classes = "kf" + (" kf-off" if off else "") + (" kf-long" if len(value) > 8 else "")
    return html.Div(
        [html.Div(value, className="kf-value"), html.Div(label, className="kf-label")],
        className=classes,
        style=style,
        **({"data-key": key} if key else {}),
    )


def _n(value: float) -> str:
    return f"{round(value):,}"


def scope_note(flt: Filter | None, activation: dict | None, lang: str) -> str | None:
    """What the figures leave out, said in words: unticked grades, a level that is not
    the one in force (a what-if). None when they count what is in force."""
    if flt is None:
        return None
    parts = []
    in_force = activation["level"] if activation else None
    if flt.level != in_force:
        word = "level " if lang == "en" else ""
        shown = word + level_label(flt.level, lang) if flt.level else t("scope_all_levels", lang)
        force = word + level_label(in_force, lang) if in_force else t("scope_no_response", lang)
        parts.append(t("scope_what_if", lang).format(shown=shown, force=force))
    if flt.grades is not None and len(flt.grades) < len(RISK_GRADES):
        names = [term_label(g, lang) for g in RISK_GRADES if g.key in flt.grades]
        joined = ("、" if lang == "zh" else ", ").join(names) or t("none", lang)
        parts.append(t("scope_grades", lang).format(grades=joined))
    return " · ".join(parts) or None


def key_figures(
    figures: KeyFigures,
    lang: str,
    flt: Filter | None = None,
    activation: dict | None = None,
    wall: bool = False,
) -> list[html.Div]:
    """The row of key figures for one filter; cards a filter narrows say so. The wall
    also shows the hidden dangers overdue and due this week."""
    grades = None if flt is None else flt.grades
    narrowed = grades is not None and len(grades) < len(RISK_GRADES)
    items = []
    note = scope_note(flt, activation, lang)
    if note:
        items.append(html.Div(note, className="kf kf-scope", **{"data-key": "scope"}))
    for g in RISK_GRADES:
        shown = grades is None or g.key in grades
        label = term_label(g, lang) + ("" if shown else t("kf_not_shown", lang))
        value = _n(figures.points_by_grade[g.key]) if shown else "—"
        items.append(_figure(label, value, g.colour, f"grade-{g.key}", off=not shown))
    rate = figures.rectification_rate
    among = t("kf_among_shown", lang) if narrowed else ""
    items += [
        _figure(
            t("fig_hidden_open", lang) + among, _n(figures.hidden_open), "#e02020", "hidden-open"
        ),
        _figure(
            t("fig_hidden_rectified", lang) + among,
            _n(figures.hidden_rectified),
            "#20a050",
            "hidden-rectified",
        ),
        _figure(
            t("fig_rectification_rate", lang) + among,
            "—" if rate is None else f"{rate:.1%}",
            None,
            "rectification-rate",
        ),
    ]
    if wall:
        items += [
            _figure(t("fig_hidden_overdue", lang) + among, _n(figures.hidden_overdue),
                    "#7b1fa2", "hidden-overdue"),
            _figure(t("fig_hidden_due_week", lang) + among, _n(figures.hidden_due_week),
                    "#f08c00", "hidden-due-week"),
        ]  # fmt: skip
    items += [
        _figure(t(f"fig_{name}", lang), _n(value), "#3060a0", f"material-{name}")
        for name, value in figures.materials.items()
    ]
    items += [
        _figure(t("fig_people", lang), _n(figures.people), "#e4572e", "people"),
        _figure(t("fig_vehicles", lang), _n(figures.vehicles), "#e4572e", "vehicles"),
        _figure(t("fig_force_boats", lang), _n(figures.boats), "#e4572e", "force-boats"),
        _figure(
            t("fig_nodes_on_duty", lang),
            f"{figures.nodes_on_duty:,}/{figures.nodes_total:,}",
            "#20a050",
            "nodes-on-duty",
        ),
    ]
    return items


def local_time(moment: datetime, tz: str, fmt: str = "%H:%M") -> str:
    """``moment`` as the command centre's wall clock shows it."""
    return moment.astimezone(ZoneInfo(tz)).strftime(fmt)


def response_banner(activation: dict | None, lang: str) -> html.Div:
    """The response level in force, in its colour, or "no response active"."""
    if activation is None:
        return html.Div(t("no_response", lang), className="response response-none")
    level = activation["level"]
    colour = term(RESPONSE_LEVELS, str(level)).colour
    reason = activation.get("reason_en" if lang == "en" else "reason") or activation["reason"]
    text = f"{level_label(level, lang)} {t('response_in_force', lang)}"
    return html.Div(
        [
            html.Span(text, className="response-level"),
            html.Span(reason, className="response-reason"),
        ],
        className=f"response response-{level}",
        style={"backgroundColor": colour},
    )


# What the details panel shows for each map, in order: (label key, column, vocabulary).
_FIELDS: dict[str, list[tuple[str, str, tuple[Term, ...] | None]]] = {
    "risk": [
        ("field_code", "code", None),
        ("field_category", "category", RISK_CATEGORIES),
        ("field_kind", "kind", RISK_KINDS),
        ("field_grade", "grade", RISK_GRADES),
        ("field_township", "township_name", None),
        ("field_responsible", "responsible_person", None),
        ("field_phone", "responsible_phone", None),
        ("field_leader", "supervising_leader", None),
        ("field_people", "people_threatened", None),
        ("field_households", "households_threatened", None),
        ("field_rectification", "rectification_status", RECTIFICATION_STATUSES),
        ("field_deadline", "rectification_deadline", None),
        ("field_inspection", "last_inspection", None),
    ],
    "materials": [
        ("field_code", "code", None),
        ("field_level", "level", DEPOT_LEVELS),
        ("field_township", "township_name", None),
        ("field_keeper", "keeper", None),
        ("field_phone", "keeper_phone", None),
        ("field_mobilise", "mobilise_level", None),
    ],
    "forces": [
        ("field_code", "code", None),
        ("field_type", "type", FORCE_TYPES),
        ("field_township", "township_name", None),
        ("field_headcount", "headcount", None),
        ("field_vehicles", "vehicles", None),
        ("field_boats", "boats", None),
        ("field_leader", "leader", None),
        ("field_phone", "leader_phone", None),
        ("field_status", "status", FORCE_STATUSES),
        ("field_mobilise", "mobilise_level", None),
    ],
    "command": [
        ("field_code", "code", None),
        ("field_level", "level", COMMAND_LEVELS),
        ("field_township", "township_name", None),
        ("field_duty_officer", "duty_officer", None),
        ("field_phone", "duty_phone", None),
        ("field_channels", "channels", None),
        ("field_status", "status", NODE_STATUSES),
        ("field_mobilise", "mobilise_level", None),
    ],
}


def _value(record: dict, column: str, vocabulary: tuple[Term, ...] | None, lang: str) -> str:
    value = record.get(column)
    if value is None or value == "" or (isinstance(value, float) and value != value):
        return t("none", lang)
    if column == "township_name":
        return name_of(record, lang, "township_name")
    if column == "mobilise_level":
        return level_label(int(value), lang)
    if column == "channels":
        return channels_text(str(value), lang)
    if vocabulary is not None:
        try:
            return term_label(term(vocabulary, str(value)), lang)
        except KeyError:
            return str(value)
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    return f"{value:,}" if isinstance(value, int) else str(value)


def channels_text(channels: str, lang: str) -> str:
    """ "phone,dingtalk,video" in the page's words: 电话、钉钉、视频."""
    words = [
        t(f"channel_{c}", lang) if f"channel_{c}" in STRINGS else c
        for c in channels.split(",")
        if c
    ]
    return ("、" if lang == "zh" else ", ").join(words)


_PHONES = {"responsible_phone", "keeper_phone", "leader_phone", "duty_phone"}


def details(kind: str, record: dict, lang: str, chain: list[dict] | None = None) -> list:
    """The full record of a clicked point, and for a command node its chain."""
    rows = [
        html.Tr(
            [
                html.Th(t(label, lang)),
                html.Td(
                    _value(record, column, vocab, lang),
                    className="phone" if column in _PHONES else None,
                ),
            ]
        )
        for label, column, vocab in _FIELDS[kind]
    ]
    body: list = [html.H3(name_of(record, lang)), html.Table(rows, className="record")]
    if kind == "materials":
        stock = [
            html.Tr(
                [
                    html.Th(item.en if lang == "en" else item.zh),
                    html.Td(
                        f"{record.get(f'stock_{item.code}', 0):,.0f} "
                        f"{item.unit_en if lang == 'en' else item.unit_zh}"
                    ),
                ]
            )
            for item in MATERIAL_CATALOGUE
            if record.get(f"stock_{item.code}", 0) > 0
        ]
        body += [html.H4(t("stock", lang)), html.Table(stock, className="record")]
    if chain:
        body += [
            html.H4(t("chain_title", lang)),
            html.Ol(
                [
                    html.Li(
                        [
                            f"{term_label(term(COMMAND_LEVELS, node['level']), lang)} · "
                            f"{name_of(node, lang)} · {node['duty_officer']} ",
                            html.Span(node["duty_phone"], className="phone"),
                        ]
                    )
                    for node in chain
                ],
                className="chain",
            ),
        ]
    return body


def warning_banner(warnings: pd.DataFrame, lang: str) -> html.Div | None:
    """The newest weather warning in force, in its colour; nothing when there is none."""
    if warnings.empty:
        return None
    row = warnings.iloc[0]
    colour = term(WARNING_COLOURS, row["colour"])
    headline = row["headline_en"] if lang == "en" and row["headline_en"] else row["headline"]
    event = row["event_en"] if lang == "en" and row["event_en"] else row["event"]
    return html.Div(
        [
            html.Span(f"{event} {term_label(colour, lang)}", className="warning-level"),
            html.Span(headline, className="warning-headline"),
        ],
        className=f"warning warning-{row['colour']}",
        style={"backgroundColor": colour.colour},
    )
