"""Coordinates: WGS-84 points, the datums Chinese map apps use, distances, and the geocoder.

Every coordinate the system stores is WGS-84 (what a phone's GPS and the route planner use).
Chinese map apps draw on GCJ-02 (Amap / 高德, Tencent) or BD-09 (Baidu): a WGS-84 point shown
there as is lands 100–700 m off, so a map link converts it first (``wgs84_to_gcj02``, the
public algorithm every map SDK implements; ``gcj02_to_bd09`` on top for Baidu). Outside
mainland China the datums coincide and nothing is converted.

The geocoder turns an address into a point. This machine reaches no map service, so the
default (``GivenCoordinates``) only reads the coordinates typed with the address; a deployment
sets ``settings.GEOCODER`` to the dotted path of a class with the same ``geocode`` method
(docs/dispatch.md). No request leaves the server here.
"""

import math
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import cache
from typing import Protocol
from urllib.parse import quote

from django.conf import settings
from django.utils.module_loading import import_string

_A = 6378245.0  # Krasovsky 1940 semi-major axis, as GCJ-02 uses it
_EE = 0.00669342162296594323  # its first eccentricity squared
_X_PI = math.pi * 3000.0 / 180.0
EARTH_RADIUS_KM = 6371.0088


@dataclass(frozen=True)
class Point:
    """A WGS-84 point in degrees."""

    lat: float
    lng: float

    @classmethod
    def of(cls, lat, lng) -> "Point | None":
        """A point from two stored values (``Decimal``, float or ``None``); ``None`` if either is missing."""
        if lat is None or lng is None:
            return None
        return cls(float(lat), float(lng))

    def text(self) -> str:
        return f"{self.lat:.6f},{self.lng:.6f}"


def valid(lat, lng) -> bool:
    try:
        lat, lng = Decimal(str(lat)), Decimal(str(lng))
    except (InvalidOperation, ValueError):
        return False
    return lat.is_finite() and lng.is_finite() and -90 <= lat <= 90 and -180 <= lng <= 180


def out_of_china(lat: float, lng: float) -> bool:
    """Outside the rectangle where GCJ-02 applies (the datums then coincide)."""
    return not (0.8293 <= lat <= 55.8271 and 72.004 <= lng <= 137.8347)


def _transform_lat(x: float, y: float) -> float:
    ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(y * math.pi) + 40.0 * math.sin(y / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (160.0 * math.sin(y / 12.0 * math.pi) + 320.0 * math.sin(y * math.pi / 30.0)) * 2.0 / 3.0
    return ret


def _transform_lng(x: float, y: float) -> float:
    ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * math.sqrt(abs(x))
    ret += (20.0 * math.sin(6.0 * x * math.pi) + 20.0 * math.sin(2.0 * x * math.pi)) * 2.0 / 3.0
    ret += (20.0 * math.sin(x * math.pi) + 40.0 * math.sin(x / 3.0 * math.pi)) * 2.0 / 3.0
    ret += (150.0 * math.sin(x / 12.0 * math.pi) + 300.0 * math.sin(x / 30.0 * math.pi)) * 2.0 / 3.0
    return ret


def wgs84_to_gcj02(lat: float, lng: float) -> tuple[float, float]:
    """WGS-84 → GCJ-02 (``lat, lng`` in degrees)."""
    if out_of_china(lat, lng):
        return lat, lng
    d_lat = _transform_lat(lng - 105.0, lat - 35.0)
    d_lng = _transform_lng(lng - 105.0, lat - 35.0)
    rad = lat / 180.0 * math.pi
    magic = 1 - _EE * math.sin(rad) ** 2
    sqrt_magic = math.sqrt(magic)
    d_lat = (d_lat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrt_magic) * math.pi)
    d_lng = (d_lng * 180.0) / (_A / sqrt_magic * math.cos(rad) * math.pi)
    return lat + d_lat, lng + d_lng


def gcj02_to_bd09(lat: float, lng: float) -> tuple[float, float]:
    """GCJ-02 → BD-09 (Baidu's own offset on top of GCJ-02)."""
    z = math.sqrt(lng * lng + lat * lat) + 0.00002 * math.sin(lat * _X_PI)
    theta = math.atan2(lat, lng) + 0.000003 * math.cos(lng * _X_PI)
    return z * math.sin(theta) + 0.006, z * math.cos(theta) + 0.0065


def haversine_km(a: Point, b: Point) -> float:
    """Great-circle distance in kilometres."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lng - a.lng)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def map_links(point: Point, label: str = "") -> dict:
    """Links that open a phone's map app at ``point``: ``geo`` (RFC 5870, WGS-84 as the URI
    scheme defines), ``amap`` (高德, navigation to the GCJ-02 point) and ``baidu`` (a marker at
    the BD-09 point). Nothing is fetched by the server."""
    g_lat, g_lng = wgs84_to_gcj02(point.lat, point.lng)
    b_lat, b_lng = gcj02_to_bd09(g_lat, g_lng) if not out_of_china(point.lat, point.lng) else (point.lat, point.lng)
    name = quote(label or point.text(), safe="")
    return {
        "geo": f"geo:{point.lat:.6f},{point.lng:.6f}?q={point.lat:.6f},{point.lng:.6f}",
        "amap": (
            f"https://uri.amap.com/navigation?to={g_lng:.6f},{g_lat:.6f},{name}&mode=car&coordinate=gaode&callnative=1"
        ),
        "baidu": (
            f"https://api.map.baidu.com/marker?location={b_lat:.6f},{b_lng:.6f}&title={name}"
            f"&content={name}&coord_type=bd09ll&output=html&src=aftersales"
        ),
    }


class Geocoder(Protocol):
    def geocode(self, address: str, *, lat=None, lng=None) -> Point | None:
        """The WGS-84 point of ``address``; ``lat``/``lng`` are the coordinates typed with it, if any."""


class GivenCoordinates:
    """The default geocoder: the coordinates given with the address, or nothing (no network)."""

    def geocode(self, address: str, *, lat=None, lng=None) -> Point | None:
        if lat is None or lng is None or not valid(lat, lng):
            return None
        return Point(float(round(Decimal(str(lat)), 6)), float(round(Decimal(str(lng)), 6)))


@cache
def geocoder() -> Geocoder:
    """The configured geocoder (``settings.GEOCODER``, a dotted path; default ``GivenCoordinates``)."""
    return import_string(getattr(settings, "GEOCODER", "core.geo.GivenCoordinates"))()
