"""WGS-84 -> GCJ-02 against published reference points, and the round trip within 1 m.

References: googollee/eviltransform python/test.py (Shanghai, Shenzhen, Beijing: WGS-84
and the GCJ-02 it publishes, to 1e-6°) and hujiulong/gcoord test/unit/crs/WGS84.spec.ts
(123°E 45°N -> 123.00607541, 45.00197815).
"""

import pytest

from ui.coords import (
    convert_ring,
    gcj02_to_wgs84,
    haversine_m,
    out_of_china,
    wgs84_to_gcj02,
)

# (wgs lon, wgs lat, gcj lon, gcj lat)
PUBLISHED = [
    (121.5272106, 31.1774276, 121.531541859215, 31.17530398364597),  # Shanghai
    (113.912316, 22.543847, 113.9171764808363, 22.540796131694766),  # Shenzhen
    (116.377817, 39.911954, 116.38404722455657, 39.91334545536069),  # Beijing
    (123.0, 45.0, 123.00607541, 45.00197815),  # gcoord
]


@pytest.mark.parametrize(("lon", "lat", "gcj_lon", "gcj_lat"), PUBLISHED)
def test_forward_matches_published_points(lon, lat, gcj_lon, gcj_lat):
    shifted_lon, shifted_lat = wgs84_to_gcj02(lon, lat)
    assert shifted_lon == pytest.approx(gcj_lon, abs=1e-6)
    assert shifted_lat == pytest.approx(gcj_lat, abs=1e-6)
    # The published shift is hundreds of metres: a no-op would fail above.
    assert haversine_m(lon, lat, gcj_lon, gcj_lat) > 100


@pytest.mark.parametrize(("lon", "lat", "gcj_lon", "gcj_lat"), PUBLISHED)
def test_inverse_of_published_points_within_1_m(lon, lat, gcj_lon, gcj_lat):
    back_lon, back_lat = gcj02_to_wgs84(gcj_lon, gcj_lat)
    assert haversine_m(back_lon, back_lat, lon, lat) < 1.0


@pytest.mark.parametrize(
    ("lon", "lat"),
    [(120.45, 30.19), (120.24, 30.16), (120.29, 30.08), (120.19, 30.12), (120.3, 30.23)],
)
def test_round_trip_in_xiaoshan_within_1_m(lon, lat):
    there = wgs84_to_gcj02(lon, lat)
    assert haversine_m(lon, lat, *there) > 100  # really moved
    back = gcj02_to_wgs84(*there)
    assert haversine_m(lon, lat, *back) < 1.0


def test_outside_china_is_the_identity():
    assert out_of_china(2.35, 48.85)
    assert wgs84_to_gcj02(2.35, 48.85) == (2.35, 48.85)
    assert gcj02_to_wgs84(183.0, 45.0) == (183.0, 45.0)


def test_haversine_one_degree_of_latitude():
    # One degree along a meridian on the mean-radius sphere: 2πR/360.
    assert haversine_m(120.0, 30.0, 120.0, 31.0) == pytest.approx(111_195.08, abs=0.1)


def test_convert_ring_shifts_every_vertex_or_none():
    ring = [[120.24, 30.16], [120.25, 30.16], [120.25, 30.17], [120.24, 30.16]]
    assert convert_ring(ring, "wgs84") is ring
    shifted = convert_ring(ring, "gcj02")
    for (lon, lat), (slon, slat) in zip(ring, shifted, strict=True):
        expected = wgs84_to_gcj02(lon, lat)
        assert slon == pytest.approx(expected[0], abs=1e-6)
        assert slat == pytest.approx(expected[1], abs=1e-6)
    with pytest.raises(ValueError):
        convert_ring(ring, "bd09")
