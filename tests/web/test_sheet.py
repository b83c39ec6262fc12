"""The printable dispatch sheet: signed-in only, every order and the chain, text as text."""

from __future__ import annotations

from auth import Principal
from dispatch.orders import dispatch, open_incident, recommendation

OFFICER = Principal("officer9", "duty_officer", user_name="officer9")


def test_the_sheet_lists_what_was_sent_and_who_answers(site):
    saved = open_incident(site.store, OFFICER, {
        "type": "dike_breach", "description": "<script>alert(1)</script>",
        "geom": {"type": "Point", "coordinates": [112.2, 30.36]},
        "needs": {"items": {"sand": 20}},
    })  # fmt: skip
    code = saved.record["code"]
    proposal = recommendation(site.store, OFFICER, code)
    dispatch(site.store, OFFICER, code, "sheet-1",
             [{"code": d["code"], "take": d["take"]} for d in proposal.depots], [])  # fmt: skip
    assert site.client().get(f"/incidents/{code}/sheet").status_code == 302  # sign in first
    page = site.client("viewer").get(f"/incidents/{code}/sheet")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<svg" in html and "<script>alert(1)" not in html and "&lt;script&gt;" in html
    for depot in proposal.depots:
        assert depot["code"] in html
    for node in proposal.chain:
        assert node["duty_officer"] in html and node["phone"] in html
    assert site.client("viewer").get("/incidents/NO-SUCH/sheet").status_code == 404
