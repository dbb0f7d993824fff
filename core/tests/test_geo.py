"""WGS-84 → GCJ-02 / BD-09 and the map links (core/geo.py)."""

import pytest

from core.geo import GivenCoordinates, Point, gcj02_to_bd09, haversine_km, map_links, out_of_china, wgs84_to_gcj02

# Published test vectors of the public algorithm (the eviltransform project's test suite):
# WGS-84 latitude, longitude → GCJ-02 latitude, longitude.
GCJ_VECTORS = [
    pytest.param(31.1774276, 121.5272106, 31.17530398364597, 121.531541859215, id="shanghai"),
    pytest.param(22.543847, 113.912316, 22.540796131694766, 113.9171764808363, id="shenzhen"),
    pytest.param(39.911954, 116.377817, 39.91334545536069, 116.38404722455657, id="beijing"),
]
# BD-09 → WGS-84 pairs of the same suite, read backwards. Their BD-09 → WGS-84 is itself an
# approximate inverse (tens of metres), so the forward conversion must land within 50 m.
BD_VECTORS = [
    pytest.param(29.196131605295484, 120.00877901149691, 29.199786, 120.019809, id="yiwu-1"),
    pytest.param(29.206795749156136, 120.0253853970846, 29.210504, 120.036455, id="yiwu-2"),
]


@pytest.mark.parametrize(("wlat", "wlng", "glat", "glng"), GCJ_VECTORS)
def test_wgs84_to_gcj02_matches_the_published_vectors(wlat, wlng, glat, glng):
    lat, lng = wgs84_to_gcj02(wlat, wlng)
    assert lat == pytest.approx(glat, abs=1e-6)
    assert lng == pytest.approx(glng, abs=1e-6)
    # the offset is the few hundred metres that makes an unconverted pin land off the road
    assert 100 < haversine_km(Point(wlat, wlng), Point(lat, lng)) * 1000 < 800


@pytest.mark.parametrize(("wlat", "wlng", "blat", "blng"), BD_VECTORS)
def test_wgs84_to_bd09_through_gcj02(wlat, wlng, blat, blng):
    lat, lng = gcj02_to_bd09(*wgs84_to_gcj02(wlat, wlng))
    assert haversine_km(Point(lat, lng), Point(blat, blng)) * 1000 < 50


def test_outside_china_nothing_is_converted():
    assert out_of_china(51.5, -0.12)
    assert wgs84_to_gcj02(51.5, -0.12) == (51.5, -0.12)
    links = map_links(Point(51.5, -0.12), "London")
    assert "location=51.500000,-0.120000" in links["baidu"]


def test_map_links_carry_the_converted_points():
    links = map_links(Point(31.1774276, 121.5272106), "上海 浦东")
    assert links["geo"].startswith("geo:31.177428,121.527211")  # the URI scheme is WGS-84
    assert "to=121.531542,31.175304," in links["amap"]  # Amap wants lng,lat in GCJ-02
    assert "coordinate=gaode" in links["amap"]
    assert "%E4%B8%8A%E6%B5%B7" in links["amap"]  # the label, encoded
    assert "coord_type=bd09ll" in links["baidu"]


def test_haversine_known_distance():
    # Shanghai People's Square to Beijing Tiananmen: about 1,067 km
    assert haversine_km(Point(31.2304, 121.4737), Point(39.9042, 116.4074)) == pytest.approx(1067, abs=5)


@pytest.mark.parametrize(
    ("lat", "lng", "expected"),
    [
        pytest.param("31.2304", "121.4737", Point(31.2304, 121.4737), id="given"),
        pytest.param(None, "121.4", None, id="half-missing"),
        pytest.param("95", "121.4", None, id="latitude-out-of-range"),
        pytest.param("nan", "1", None, id="not-a-number"),
    ],
)
def test_the_default_geocoder_reads_given_coordinates_only(lat, lng, expected):
    assert GivenCoordinates().geocode("上海市人民广场", lat=lat, lng=lng) == expected
