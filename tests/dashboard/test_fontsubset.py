"""Every character the demo and the city set write has a glyph in what the app serves,
and a township pick fetches a font of the store's own characters, not GB2312's 2.4 MB."""

from __future__ import annotations

import io
import time

import pytest

from config import Settings
from dashboard import fontsubset
from dashboard.mapstyle import FONT_FILES, map_style, parse_ranges
from layers.snapshot import snapshot
from store import open_store
from tests.browser.conftest import ROOT
from tests.handmade import handmade_frames

ttlib = pytest.importorskip("fontTools.ttLib")


def cmap_of(data: bytes) -> set[int]:
    return set(ttlib.TTFont(io.BytesIO(data))["cmap"].getBestCmap())


@pytest.fixture(scope="module")
def served() -> dict[str, set[int]]:
    return {path: cmap_of((ROOT / "assets" / path).read_bytes()) for path in FONT_FILES}


@pytest.fixture(scope="module")
def city_frames() -> dict:
    from data.city import build_city

    return build_city()


@pytest.mark.parametrize("dataset", ["demo", "city"])
def test_every_character_of_the_names_has_a_glyph_in_what_is_served(
    dataset, demo_frames, city_frames, served
):
    frames = demo_frames if dataset == "demo" else city_frames
    text = fontsubset.characters(frames.values())
    font = fontsubset.names_font(text)
    subset = cmap_of(fontsubset.subset_bytes(font.characters))
    style = map_style(first_face={"url": font.url, "unicode-range": list(font.ranges)})
    files = {font.url: subset} | {f"/assets/{path}": cmap for path, cmap in served.items()}
    # Each character as MapLibre draws it: with the first face whose range holds it.
    every = fontsubset.text_characters(frames.values())
    names = {c for c in every if not c.isspace() and ord(c) >= 0x20}
    missing = []
    for face_list in style["font-faces"].values():
        for char in sorted(names):
            face = next(
                (f for f in face_list if ord(char) in parse_ranges(f["unicode-range"])), None
            )
            if face is None or ord(char) not in files[face["url"]]:
                missing.append(char)
    assert not missing, f"{dataset}: no glyph for {sorted(set(missing))}"
    # The store's own characters come from the subset: not one from the GB2312 file.
    assert set(text) <= {chr(p) for p in subset}
    assert len(fontsubset.subset_bytes(font.characters)) < 300_000


def test_the_subset_is_named_by_its_characters():
    one, two = fontsubset.names_font("平洲街道"), fontsubset.names_font("平洲街道镇")
    assert one.name != two.name and one.name == fontsubset.names_font("平洲街道").name
    assert fontsubset.unicode_ranges("平洲街道") == ("U+5E73", "U+6D32", "U+8857", "U+9053")
    assert fontsubset.unicode_ranges("一丁七") == (
        "U+4E00-4E01",
        "U+4E03",
    )
    css = one.css()
    assert one.name in css and "Noto Sans SC Local" in css and "U+5E73" in css


def test_the_app_builds_the_stores_subset_as_it_starts(tmp_path):
    """The first page's names need not wait ~2 s for their font: as the app starts it
    builds the subset of its store's characters, before any page asks for it."""
    from dashboard.app import create_app
    from dashboard.maps import page_font

    frames = handmade_frames()
    frames["townships"].loc[0, "name"] = "鑫垚镇"  # characters no other test's store has
    store = open_store(f"sqlite:///{tmp_path / 'fourmaps.sqlite'}")
    store.replace_all(frames)
    font = page_font(snapshot(store))
    assert "鑫" in font.characters and not fontsubset.ready(font.characters)
    env = {"DATABASE_URL": store.url, "FOURMAPS_INSTANCE_DIR": str(tmp_path / "instance")}
    create_app(Settings.from_env(env | {"FOURMAPS_SEED_DEMO": "0"}), store)
    for _ in range(600):
        if fontsubset.ready(font.characters):
            break
        time.sleep(0.05)
    assert fontsubset.ready(font.characters)
    assert "鑫" in {chr(p) for p in cmap_of(fontsubset.subset_bytes(font.characters))}
    store.engine.dispose()
