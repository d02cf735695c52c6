"""The benchmark's reference: docs/indicators.md on map 2025-01 as one DuckDB query over the exported CSV files.

A second, independent formulation of the indicators (the benchmark and a test check that it agrees
with `linkage.counting.coverage` on every row), and the process `linkage coverage` is timed against. It
imports only DuckDB and pandas, as a script of an analyst's own would: the reference must time
DuckDB over the files, not the start-up of this package.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pandas as pd

DUCKDB_SQL = """
WITH
geo AS (SELECT * FROM read_csv('{geo}', header=true, all_varchar=true)),
xw AS (SELECT * FROM read_csv('{xw}', header=true, all_varchar=true)),
-- a commune of 2025-07 on 2025-01: the one commune it took in, else their one district, else their
-- one province, else the country (an island zone: its old district)
xg AS (
  SELECT x.new_code, count(*) AS n, min(g.commune_code) AS c, count(DISTINCT g.district_code) AS nd,
         min(g.district_code) AS d, count(DISTINCT g.province_code) AS np, min(g.province_code) AS p
  FROM xw x JOIN geo g ON g.commune_code = x.old_code GROUP BY x.new_code),
placed_new AS (
  SELECT new_code, CASE WHEN n = 1 THEN c END AS commune_code, CASE WHEN nd = 1 THEN d END AS district_code,
         CASE WHEN np = 1 THEN p END AS province_code FROM xg
  UNION ALL SELECT new_code, NULL, district_code, province_code FROM xw WHERE coalesce(old_code, '') = ''),
rural AS (SELECT * FROM geo WHERE is_rural = 'true'),
in_scope AS (SELECT DISTINCT district_code, province_code FROM rural),
coops AS (
  SELECT DISTINCT coalesce(lpad(nullif(k.commune_code, ''), 5, '0'), pn.commune_code) AS commune_code
  FROM read_csv('{dir}/cooperatives.csv', header=true, all_varchar=true) k
  LEFT JOIN placed_new pn
    ON coalesce(k.commune_code, '') = '' AND pn.new_code = lpad(k.commune_code_2025_07, 5, '0')
  WHERE (coalesce(established_on, '') = '' OR CAST(established_on AS DATE) <= DATE '{d}')
    AND (coalesce(dissolved_on, '') = '' OR CAST(dissolved_on AS DATE) > DATE '{d}')),
covered AS (SELECT r.* FROM rural r JOIN coops c USING (commune_code)),
links AS (
  SELECT code, product_code FROM read_csv('{dir}/linkages.csv', header=true, all_varchar=true)
  WHERE CAST(started_on AS DATE) <= DATE '{d}'
    AND (coalesce(ended_on, '') = '' OR CAST(ended_on AS DATE) > DATE '{d}')),
parties AS (SELECT * FROM read_csv('{dir}/linkage_parties.csv', header=true, all_varchar=true)),
homes AS (
  SELECT 'cooperative' AS party_type, code, commune_code, commune_code_2025_07
    FROM read_csv('{dir}/cooperatives.csv', header=true, all_varchar=true)
  UNION ALL SELECT 'producer', code, commune_code, commune_code_2025_07
    FROM read_csv('{dir}/producers.csv', header=true, all_varchar=true)
  UNION ALL SELECT 'raw_material_area', code, commune_code, commune_code_2025_07
    FROM read_csv('{dir}/raw_material_areas.csv', header=true, all_varchar=true)),
homes_placed AS (
  SELECT h.party_type, h.code, coalesce(g.district_code, pn.district_code) AS district_code,
         coalesce(g.province_code, pn.province_code) AS province_code
  FROM homes h
  LEFT JOIN geo g ON g.commune_code = lpad(nullif(h.commune_code, ''), 5, '0')
  LEFT JOIN placed_new pn
    ON coalesce(h.commune_code, '') = '' AND pn.new_code = lpad(h.commune_code_2025_07, 5, '0')),
located AS (
  SELECT DISTINCT p.linkage_code, h.district_code, h.province_code
  FROM parties p JOIN homes_placed h ON h.party_type = p.party_type AND h.code = p.party_code
  WHERE p.linkage_code IN (SELECT code FROM links)),
keyp AS (
  SELECT g.province_code, pr.code AS product_code
  FROM (SELECT DISTINCT province_code FROM geo) g,
       read_csv('{dir}/products.csv', header=true, all_varchar=true) pr
  WHERE lower(pr.national_key) = 'true'
  UNION SELECT lpad(province_code, 2, '0'), product_code
  FROM read_csv('{dir}/province_key_products.csv', header=true, all_varchar=true)),
key_districts AS (
  SELECT DISTINCT l.district_code, l.province_code FROM located l
  JOIN links k ON k.code = l.linkage_code
  JOIN keyp ON keyp.province_code = l.province_code AND keyp.product_code = k.product_code
  WHERE l.linkage_code IN (SELECT linkage_code FROM parties WHERE party_type = 'buyer')
    AND l.district_code IN (SELECT district_code FROM in_scope)),
digital AS (
  SELECT DISTINCT linkage_code FROM read_csv('{dir}/digital_adoptions.csv', header=true, all_varchar=true)
  WHERE CAST(adopted_on AS DATE) <= DATE '{d}'
    AND (coalesce(discontinued_on, '') = '' OR CAST(discontinued_on AS DATE) > DATE '{d}')),
rml AS (
  SELECT l.*, l.linkage_code IN (SELECT linkage_code FROM digital) AS is_digital FROM located l
  WHERE l.linkage_code IN (SELECT linkage_code FROM parties WHERE party_type = 'raw_material_area'))
SELECT 'communes_with_cooperative' AS indicator, 'district' AS level, r.district_code AS unit_code,
       count(c.commune_code) AS numerator, count(*) AS denominator
  FROM rural r LEFT JOIN covered c USING (commune_code) GROUP BY r.district_code
UNION ALL SELECT 'communes_with_cooperative', 'province', r.province_code, count(c.commune_code), count(*)
  FROM rural r LEFT JOIN covered c USING (commune_code) GROUP BY r.province_code
UNION ALL SELECT 'communes_with_cooperative', 'national', 'VN', (SELECT count(*) FROM covered), count(*) FROM rural
UNION ALL SELECT 'districts_with_key_product_linkage', 'province', s.province_code,
       count(k.district_code), count(*)
  FROM in_scope s LEFT JOIN key_districts k USING (district_code) GROUP BY s.province_code
UNION ALL SELECT 'districts_with_key_product_linkage', 'national', 'VN',
       (SELECT count(*) FROM key_districts), count(*) FROM in_scope
UNION ALL SELECT 'raw_material_linkages_with_digital_tech', 'district', s.district_code,
       count(DISTINCT CASE WHEN m.is_digital THEN m.linkage_code END), count(DISTINCT m.linkage_code)
  FROM in_scope s LEFT JOIN rml m USING (district_code) GROUP BY s.district_code
UNION ALL SELECT 'raw_material_linkages_with_digital_tech', 'province', p.province_code,
       count(DISTINCT CASE WHEN m.is_digital THEN m.linkage_code END), count(DISTINCT m.linkage_code)
  FROM (SELECT DISTINCT province_code FROM in_scope) p LEFT JOIN rml m USING (province_code) GROUP BY p.province_code
UNION ALL SELECT 'raw_material_linkages_with_digital_tech', 'national', 'VN',
       count(DISTINCT CASE WHEN is_digital THEN linkage_code END), count(DISTINCT linkage_code) FROM rml
"""


def duckdb_coverage(folder: Path, geography_csv: Path, as_of: date, crosswalk_csv: Path) -> pd.DataFrame:
    """docs/indicators.md on map 2025-01 as one DuckDB query over exported CSV files (`write_geography_csv`,
    `write_crosswalk_csv`): indicator, level, unit, counts."""
    import duckdb  # lazy: a dev dependency, needed only when the reference runs

    query = DUCKDB_SQL.format(
        dir=folder.as_posix(), geo=geography_csv.as_posix(), xw=crosswalk_csv.as_posix(), d=as_of.isoformat()
    )
    relation = duckdb.sql(query)
    assert relation is not None
    frame = relation.df()
    frame["numerator"] = frame["numerator"].astype("int64")
    frame["denominator"] = frame["denominator"].astype("int64")
    return frame.sort_values(["indicator", "level", "unit_code"]).reset_index(drop=True)


def write_geography_csv(path: Path) -> None:
    from linkage.geo.geography import gso_rows

    _, districts, communes = gso_rows()
    province_of = {d["code"]: d["province_code"] for d in districts}
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["commune_code", "district_code", "province_code", "is_rural"])
        for c in communes:
            writer.writerow(
                [c["code"], c["district_code"], province_of[c["district_code"]], str(c["is_rural"]).lower()]
            )


def write_crosswalk_csv(path: Path) -> None:
    """The crosswalk's data for the DuckDB formulation: each commune of 2025-07 with every commune of
    2025-01 it took in (`old_code`), or, for an island zone that took in none, its old district
    (`district_code`). Where a record is placed from them is the query's own work (docs/indicators.md,
    "On which map")."""
    from linkage.geo.maps import OLD_MAP, crosswalk, map_data

    cw = crosswalk()
    old = map_data(OLD_MAP)
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["new_code", "old_code", "district_code", "province_code"])
        for new_code, olds in sorted(cw.new_to_old.items()):
            for old_code in olds:
                writer.writerow([new_code, old_code, "", ""])
        for new_code, district in sorted(cw.island_districts.items()):
            writer.writerow([new_code, "", district, old.districts[district].province])
