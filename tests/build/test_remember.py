"""Remembering: a build writes into the store what changed, and the next build
reads the rest from the rows the earlier builds left."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from builder.build.options import BuildOptions
from builder.build.run import build
from builder.incremental import plan
from builder.incremental.records import OutputRecord
from builder.incremental.store import Store
from tests.conftest import ARTICLE, MINIMAL_SITE, TERMS, calls_to, write_files

TREATY = "- id: treaty\n  name: Treaty\n  kind: term\n  summary: A pact.\n"


def test_only_a_glossary_file_read_again_is_written_and_the_others_rows_still_serve(
    make_site: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site, out = make_site({TERMS: TREATY}), tmp_path / "out"
    build(BuildOptions(site=site, out=out))
    write_files(site, {TERMS: TREATY.replace("A pact.", "A signed pact.")})
    writes = calls_to(monkeypatch, Store, "write")
    build(BuildOptions(site=site, out=out))
    [glossary] = [call.args[2] for call in writes if call.args[1] == "glossary"]
    assert list(glossary) == [TERMS]  # people.yaml's row is the first build's
    read = calls_to(monkeypatch, plan, "load_glossary_folder_file")
    write_files(site, {ARTICLE: MINIMAL_SITE[ARTICLE].replace("A story", "An edited story")})
    edited = build(BuildOptions(site=site, out=out))
    assert edited.rendered > 0 and read == []  # both files from their rows
    people = (out / "glossary/vladimir-putin/index.html").read_text(encoding="utf-8")
    assert "President of Russia." in people and "An edited story" in people


def test_the_output_records_kept_as_columns_are_the_records() -> None:
    outputs = {
        "index.html": OutputRecord("k1", 10, 1_796_587_245_130_640_868),
        "world/story/index.html": OutputRecord("k2", 20, 3),
    }
    assert plan.outputs_of(plan.output_columns(outputs)) == outputs
    assert plan.outputs_of(plan.output_columns({})) == {}
    assert plan.outputs_of(None) == {}
