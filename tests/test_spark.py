"""The Spark recipe of docs/scale.md, in PySpark local mode: ``mapInArrow`` over
``BatchScrubber`` scrubs a generated list as ``check_many`` does.

Skipped without pyspark or Java, failed under CI (``.ci/run`` installs both);
loopback only, local mode.
"""

from __future__ import annotations

import importlib.util
import os
import random
import shutil
from collections.abc import Iterator
from typing import Any

import pytest

import callwindow as cw

_MISSING = ("pyspark is not installed: pip install -e '.[spark]'"
            if importlib.util.find_spec("pyspark") is None
            else "Spark needs Java: apt-get install -y default-jre-headless"
            if shutil.which("java") is None else None)
if _MISSING is not None:
    if os.environ.get("CALLWINDOW_REQUIRE_SERVERS") == "1":  # CI: fail, never skip
        pytest.fail(_MISSING, pytrace=False)
    pytest.skip(_MISSING, allow_module_level=True)

AT = "2026-11-23T15:30:00+01:00"  # a Monday afternoon in Paris, morning in the US


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("callwindow-test")
               .config("spark.ui.enabled", "false")
               .config("spark.driver.host", "127.0.0.1")
               .config("spark.driver.bindAddress", "127.0.0.1")
               .config("spark.sql.shuffle.partitions", "2")
               .getOrCreate())
    yield session
    session.stop()


def generated(rows: int) -> list[dict[str, Any]]:
    rng = random.Random(16)
    found = []
    for index in range(rows):
        french = index % 2 == 0
        found.append({
            "id": f"c-{index}",
            "phone": (f"+336{rng.randrange(10**8):08d}" if french
                      else f"+1{rng.choice(('212', '305', '415', '907'))}555"
                           f"{rng.randrange(10**4):04d}"),
            "timezone": None if french or rng.random() < 0.7 else "Mars/Base",
            "consent": rng.random() < 0.8,
        })
    return found


def test_map_in_arrow_scrubs_a_list_as_check_many_does(spark: Any) -> None:
    from pyspark.sql.types import (
        ArrayType,
        BooleanType,
        StringType,
        StructField,
        StructType,
        TimestampType,
    )

    rows = generated(3000)
    schema = StructType([StructField("id", StringType()), StructField("phone", StringType()),
                         StructField("timezone", StringType()),
                         StructField("consent", BooleanType())])
    frame = spark.createDataFrame([tuple(row.values()) for row in rows], schema).repartition(3)
    answers = StructType([*schema.fields, StructField("allowed", BooleanType(), False),
                          StructField("reasons", ArrayType(StringType())),
                          StructField("next_allowed_at", TimestampType()),
                          StructField("error", StringType())])
    scrubber = cw.BatchScrubber([cw.presets.get("FR"), cw.presets.get("US")], at=AT)
    scrubbed = frame.mapInArrow(scrubber, answers).toArrow()
    found = {row["id"]: row for row in scrubbed.to_pylist()}
    assert len(found) == 3000

    engine = cw.Engine([cw.presets.get("FR"), cw.presets.get("US")])
    errors: dict[str, str] = {}
    valid = []
    for row in rows:
        given = {key: value for key, value in row.items() if value is not None}
        try:
            valid.append(cw.Consumer(**given))
        except cw.ConsumerError as error:
            errors[row["id"]] = str(error)
    assert errors  # some rows carry an unknown zone
    assert {key: found[key]["error"] for key in errors} == errors
    assert not any(found[key]["allowed"] for key in errors)
    for consumer, decision in zip(valid, engine.check_many(valid, AT), strict=True):
        got = found[consumer.id]
        assert got["error"] is None
        assert got["allowed"] == decision.allowed
        assert got["reasons"] == [code.value for code in decision.codes]
        want = decision.next_allowed_at
        assert got["next_allowed_at"] == want, (consumer, got, want)
