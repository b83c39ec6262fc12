"""What the desk says when an operation is refused, in the page's language."""

from __future__ import annotations

from dash import html

from auth import Forbidden, Unauthenticated
from dashboard.i18n import t
from editing.fields import NOUNS
from editing.records import InUse, NotFound
from store import StoreUnavailable


def refusal(error: Exception, lang: str) -> html.Div:
    if isinstance(error, (Forbidden, Unauthenticated)):
        text = t("forbidden", lang)
    elif isinstance(error, NotFound):
        text = t("gone", lang)
    elif isinstance(error, InUse):
        refs = ", ".join(f"{NOUNS.get(k, (k, k))[0 if lang == 'zh' else 1]} {n}"
                         for k, n in error.references.items())  # fmt: skip
        text = t("in_use", lang).format(refs=refs)
    elif isinstance(error, StoreUnavailable):
        text = str(error)
    else:
        text = t("not_saved", lang)
    return html.Div(text, className="edit-refused", role="alert")
