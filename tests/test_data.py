"""Loaders: types on good data, one clear line on bad data."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from analysis import data
from analysis.sources import current_checksums, verify
from conftest import edit_csv

MESSAGE = re.compile(r"^\S+\.csv: line (\d+), column '([^']+)': .+$")


def test_llm_prices_types_and_coverage():
    df = data.load_llm_prices()
    assert len(df) == 212
    assert (df["dataset"] == "epoch").sum() == 73
    assert pd.api.types.is_datetime64_any_dtype(df["date"])
    assert df["reasoning"].dtype == bool
    for column in ("mmlu", "gpqa_diamond", "math500", "math_level5", "humaneval", "arena_elo", "mmlu_pro", "hle",
                   "swe_bench_verified", "aime_2025"):
        assert pd.api.types.is_float_dtype(df[column])
    assert df["source"].str.len().gt(0).all()


def test_2025_2026_price_rows():
    """Issue 12: at least 60 sourced rows for models from mid-2025 on, their kind of price explicit."""
    df = data.load_llm_prices()
    new = df[(df["date"] >= "2025-06-01") & (df["dataset"] == "extra")]
    assert len(new) >= 60 and df["date"].max() >= pd.Timestamp("2026-08-01")
    assert new["price_timing"].notna().all()
    assert set(df.loc[df["dataset"] == "epoch", "price_kind"]) == {"epoch_convention"}
    assert new["gpqa_diamond"].notna().sum() >= 60 and new["hle"].notna().sum() >= 60
    both = new["input_usd_per_mtok"].notna() & new["output_usd_per_mtok"].notna()
    assert both.all()
    blend = (3 * new["input_usd_per_mtok"] + new["output_usd_per_mtok"]) / 4
    assert ((blend - new["blended_3to1_usd_per_mtok"]).abs() <= 1e-6 + 1e-3 * blend).all()
    # host prices are marked as such, never left as the developer's
    assert (df.loc[df["developer"].str.contains("served by"), "price_kind"].isin(["host", "published_figure"])).all()
    for column in ("hle", "swe_bench_verified", "aime_2025"):
        assert column in prices_benchmarks()


def prices_benchmarks():
    from analysis.benchmarks import BENCHMARKS

    return BENCHMARKS


def test_every_curated_row_has_a_source():
    for name in data.SCHEMAS:
        df = data.load(name)
        assert df["source"].notna().all() and (df["source"].str.strip() != "").all(), name


@pytest.mark.parametrize("column, value, rule", [
    ("blended_3to1_usd_per_mtok", "-1", "must be > 0"),
    ("input_usd_per_mtok", "0", "must be > 0"),
    ("date", "2024-13-45", "must be a date written YYYY-MM-DD"),
    ("date", "last spring", "must be a date written YYYY-MM-DD"),
    ("mmlu", "143", "must be <= 100"),
    ("reasoning", "maybe", "must be true or false"),
    ("dataset", "other", "must be one of epoch, anchor, extra"),
    ("arena_elo", "abc", "must be a finite number"),
    ("source", "", "value is required"),
    ("source", "as reported by multiple outlets", "source must name a document"),
    ("source", "yobitel", "source must name a document"),
])
def test_bad_field_names_file_line_column_and_rule(data_copy, column, value, rule):
    edit_csv(data_copy / "llm_prices.csv", 7, column, value)
    with pytest.raises(data.DataValidationError) as info:
        data.load_llm_prices()
    message = str(info.value)
    assert "\n" not in message
    assert MESSAGE.match(message), message
    assert message.startswith(f"{data_copy / 'llm_prices.csv'}: line 7, column '{column}': {rule}")


@pytest.mark.parametrize("file, line", [("capex.csv", 3), ("hardware.csv", 4), ("throughput_measurements.csv", 9),
                                        ("regions.csv", 2), ("cost_assumptions.csv", 3)])
def test_the_source_rule_holds_in_every_file(data_copy, file, line):
    edit_csv(data_copy / file, line, "source", "as reported")
    with pytest.raises(data.DataValidationError, match=rf"{file}: line {line}, column 'source': source must name"):
        data.validate_all()


def test_missing_column(data_copy):
    df = pd.read_csv(data_copy / "llm_prices.csv", dtype=str, keep_default_na=False)
    df.drop(columns=["date"]).to_csv(data_copy / "llm_prices.csv", index=False)
    with pytest.raises(data.DataValidationError, match=r"line 1, column 'date': required column is missing"):
        data.load_llm_prices()


def test_duplicate_row(data_copy):
    path = data_copy / "llm_prices.csv"
    lines = path.read_text().splitlines(keepends=True)
    path.write_text("".join(lines + [lines[5]]))
    with pytest.raises(data.DataValidationError, match=rf"line {len(lines) + 1}, column 'model\+date': duplicate key"):
        data.load_llm_prices()


def test_row_without_any_price(data_copy):
    edit_csv(data_copy / "llm_prices.csv", 2, "blended_3to1_usd_per_mtok", "")
    with pytest.raises(data.DataValidationError, match=r"line 2, column '\*': needs a price"):
        data.load_llm_prices()


def test_published_trends_interval_rule(data_copy):
    edit_csv(data_copy / "epoch_price_trends_published.csv", 3, "ci_high", "1.5")
    with pytest.raises(data.DataValidationError, match=r"line 3, column '\*': interval must contain"):
        data.load_epoch_price_trends()


def test_missing_file(tmp_path):
    with pytest.raises(data.DataValidationError, match="file not found"):
        data.load_llm_prices(data_dir=tmp_path)


def test_checksums_match_origin_records():
    problems = verify()
    if problems:  # the whole message, not pytest's truncated list comparison
        pytest.fail("data files differ from data/sources.yml:\n" + "\n".join(problems), pytrace=False)


def test_changed_data_file_names_the_file_and_the_update_command(data_copy):
    with open(data_copy / "capex.csv", "a") as handle:
        handle.write("\n")
    (problem,) = verify(data_copy)
    assert problem.startswith("capex.csv: changed since sources.yml recorded it")
    assert problem.endswith("python -m analysis checksums --update")


def test_checksum_test_can_fail(data_copy):
    with open(data_copy / "llm_prices.csv", "a") as handle:
        handle.write("\n")
    problems = verify(data_copy)
    assert any("llm_prices.csv: changed" in p for p in problems)
    (data_copy / "extra.csv").write_text("a,b\n1,2\n")
    assert any("extra.csv: no origin record" in p for p in verify(data_copy))


def test_every_data_file_has_a_schema_and_a_record():
    schemas = {s.file for s in data.SCHEMAS.values()}
    assert set(current_checksums()) == schemas
