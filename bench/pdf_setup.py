"""The pieces of ``bench/pdf.py`` that run in worker and child processes.

Kept importable (no work at import) so ``multiprocessing`` workers and the fresh timing
children can load them.
"""
from __future__ import annotations

import random
from datetime import timedelta
from functools import lru_cache
from pathlib import Path

SIZE = (4032, 3024)  # 12 megapixels, as a phone camera shoots (bench/pdf.py --source-px changes it)
ROOMS = 30

_app = None


# -- 1. photos --------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _texture():
    from PIL import Image

    # Sensor-like noise is what makes camera JPEGs big; one noise field, tinted differently
    # per photo, keeps generation affordable while every file stays distinct.
    base = Image.linear_gradient("L").resize(SIZE).convert("RGB")
    return Image.blend(base, Image.effect_noise(SIZE, 48).convert("RGB"), 0.35)


def make_photo(args: tuple[int, str]) -> str:
    from PIL import Image, ImageDraw

    seed, path = args
    rng = random.Random(seed)
    tint = Image.new("RGB", SIZE, tuple(rng.randrange(30, 220) for _ in range(3)))
    image = Image.blend(_texture(), tint, 0.45)
    draw = ImageDraw.Draw(image)
    for _ in range(40):
        x, y = rng.randrange(SIZE[0]), rng.randrange(SIZE[1])
        draw.rectangle((x, y, x + rng.randrange(60, 900), y + rng.randrange(60, 700)),
                       fill=tuple(rng.randrange(256) for _ in range(3)))
    draw.text((80, 80), f"bench photo {seed}", fill=(255, 255, 255), font_size=120)
    image.save(path, "JPEG", quality=90)
    return path


def set_size(width: int) -> None:
    """Source photos ``width`` pixels wide (4:3), before the pool is made (its workers fork)."""
    global SIZE
    SIZE = (width, width * 3 // 4)


def generate_photos(cache: Path, count: int, pool) -> list[Path]:
    """``count`` distinct JPEGs of SIZE (12 MP by default) in ``cache``, generating only the missing ones."""
    cache = cache if SIZE == (4032, 3024) else cache / f"{SIZE[0]}x{SIZE[1]}"
    cache.mkdir(parents=True, exist_ok=True)
    wanted = [(seed, str(cache / f"photo-{seed:04d}.jpg")) for seed in range(1, count + 1)]
    missing = [item for item in wanted if not Path(item[1]).is_file()]
    if missing:
        pool.map(make_photo, missing, chunksize=4)
    return [Path(path) for _, path in wanted]


# -- 2. the database ----------------------------------------------------------------------
def make_app(workdir: Path):
    from config import TestingConfig
    from inspect_app import create_app

    return create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=f"sqlite:///{workdir / 'bench.db'}",
                      PHOTO_ROOT=str(workdir / "photos"), INSTANCE_DIR=workdir)


def _init_worker(workdir: str) -> None:
    global _app
    _app = make_app(Path(workdir))


def _store(args: tuple[int, str]) -> int:
    """Worker: store one original for one point through the real service (processing included)."""
    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.extensions import db
    from inspect_app.findings.models import Finding
    from inspect_app.photos.services import store_photo

    finding_id, path = args
    with _app.app_context():
        finding = db.session.get(Finding, finding_id)
        user = db.session.get(User, finding.created_by_id)
        store_photo(Path(path).read_bytes(), ward_id=finding.ward_id, by=user, now=utcnow(), finding=finding,
                    inspection_id=finding.inspection_id, caption=f"Photo of {finding.location.lower()}")
        db.session.commit()
    return finding_id


def build_database(workdir: Path, sources: list[Path]) -> str:
    """Migrate, seed the demo trust, record one graded point per photo, store the photos, sign off."""
    from multiprocessing import Pool

    from flask_migrate import upgrade
    from sqlalchemy import select

    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.demo.seed import DEMO_PASSWORD, seed_demo
    from inspect_app.estates.models import Room, Ward
    from inspect_app.extensions import db
    from inspect_app.findings import services as findings
    from inspect_app.inspections import answering, signing
    from inspect_app.inspections import services as inspections
    from inspect_app.inspections.assurance import flags_for
    from inspect_app.inspections.models import Inspection

    app = make_app(workdir)
    root = Path(__file__).resolve().parent.parent
    with app.app_context():
        upgrade(directory=str(root / "migrations"), revision="heads")
        now = utcnow() - timedelta(days=3)
        seed_demo(now=now)
        inspector = db.session.scalar(select(User).where(User.role == "inspector"))
        ward = db.session.scalar(select(Ward).where(Ward.name == "Larch Ward"))
        inspection = inspections.start_inspection(ward=ward, inspection_type="annual",
                                                  team=["Sam Okafor", {"name": "Ana Ward", "role": "Matron"}],
                                                  by=inspector, now=now)
        rooms = list(db.session.scalars(select(Room).where(Room.ward_id == ward.id).order_by(Room.position)))
        rng = random.Random(7)
        ids = []
        for n in range(len(sources)):
            room = rooms[n % ROOMS]
            point = findings.record_finding(
                inspection=inspection, room=room, category="Window fittings", location=f"Window {n + 1}, left of bed",
                description="Exposed window restrictor arm; the gap behind it could take a ligature. " * 2,
                existing_controls="Hourly observation; room locked when not in use.",
                recommended_action="Fit a flush anti-ligature restrictor and box in the reveal.",
                likelihood=rng.randint(1, 5), consequence=rng.randint(1, 5), by=inspector, now=now)
            ids.append(point.id)
        for room in rooms:
            for item in inspections.room_items(inspection, room):
                answering.record_answer(inspection=inspection, room=room, item=item, value=item.passing_answer,
                                        by=inspector, now=now)
        db.session.commit()
        inspection_id = inspection.id
    with Pool(2, initializer=_init_worker, initargs=(str(workdir),)) as pool:
        pool.map(_store, list(zip(ids, map(str, sources), strict=False)), chunksize=8)
    with app.app_context():
        inspection = db.session.get(Inspection, inspection_id)
        inspector = db.session.get(User, inspection.lead_inspector_id)
        # Every room answered in one go would be flagged for a second look: acknowledge each, as a
        # signatory must; the demo patient safety lead gives the clinical sign-off.
        keys = [flag.key for flag in flags_for(inspection)]
        signing.sign_off(inspection=inspection, password=DEMO_PASSWORD, attestation="Bench record",
                         by=inspector, now=utcnow(), capacity="lead", acknowledged=keys)
        clinical = db.session.scalar(select(User).where(User.role == "safety_lead"))
        signing.sign_off(inspection=inspection, password=DEMO_PASSWORD, attestation="Bench record",
                         by=clinical, now=utcnow(), capacity="clinical", acknowledged=keys)
        db.session.commit()
        (workdir / "inspection_id").write_text(str(inspection_id))
    return f"{len(ids)} ligature points with photos on {ROOMS} rooms, inspection {inspection_id} signed off"


# -- 3. the timed builds (one per fresh process) ------------------------------------------
# What a competent WeasyPrint user adds for print: fixed table layout (auto widths cost about
# half its layout time) and, for the repeated cards, inline blocks instead of CSS grid (its
# track sizing measures every cell's min/max content). Then the geometry and type of the
# ReportLab document (reports/pdf/base.py, styles.py, findings.py): its page margins, 9.5 pt
# body and 8-8.5 pt card and table text, a 32 mm label column and a 57 mm photo column beside
# the details, compact cell padding. Same content, laid out the same way, so both documents
# hold about the same findings per page; bench/pdf.py prints both page counts and gives no
# ratio when they differ by more than 5 %.
TUNING = """
@page { margin: 25mm 18mm 22mm 18mm; }
.page-report { font-family: Helvetica, Arial, sans-serif; font-size: 9.5pt; line-height: 12.5pt; }
.page-report h1 { font-size: 26pt; line-height: 31pt; margin: 0 0 4pt; }
.page-report h2 { font-size: 16pt; line-height: 20pt; margin: 4pt 0 8pt; }
.page-report h3 { font-size: 12.5pt; line-height: 15.5pt; margin: 10pt 0 1pt; }
.page-report h4 { font-size: 10.5pt; line-height: 13pt; }
.page-report p { margin: 0 0 4pt; }
.page-report .small { font-size: 8.5pt; line-height: 10.5pt; }
.report-section { margin: 0 0 6pt; }
table { table-layout: fixed; }
.table th, .table td { padding: 2pt 3pt; font-size: 8.5pt; line-height: 10.5pt; }
.report-facts, .report-figures, .report-pair, .report-finding__body, .report-finding__fields,
.report-finding__photos { display: block; }
.report-facts dt, .report-finding__fields dt { float: left; clear: left; width: 32mm; }
.report-facts dd, .report-finding__fields dd { margin-left: 34mm; }
.report-figures p { display: inline-block; width: 24%; }
.report-pair table { display: inline-table; width: 48%; vertical-align: top; }
.report-finding { margin: 0 0 4mm; }
.report-finding__head { padding: 4pt 5pt; }
.report-finding__body { padding: 0 5pt 3pt; }
.report-finding__fields { display: inline-block; width: 110mm; vertical-align: top; font-size: 8.5pt; line-height: 10.5pt; }
.report-finding__fields dt { font-size: 8pt; }
.report-finding__fields ul { padding-left: 8pt; }
.report-finding__photos { display: inline-block; width: 57mm; margin-left: 3mm; vertical-align: top; }
.report-finding__photos img { width: 57mm; }
.report-plan { font-size: 8.5pt; }
"""


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory now (VmRSS) or its peak (VmHWM), Linux.

    Not ``ru_maxrss``: after fork+exec it still counts the parent's memory at the fork, so a
    child started by a big parent reports the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def reset_peak() -> None:
    """Restart VmHWM from the current RSS (Linux >= 4.0), so the peak is the build's own.

    Booting the app briefly peaks higher than either build (about 146 MB here, then settles
    near 83 MB); without this reset both engines would report the boot's peak.
    """
    Path("/proc/self/clear_refs").write_text("5")


def child_prepare(engine: str, workdir: str):
    """Untimed: boot the app and import the engine, as a running server already has.

    Returns the function the timer wraps: collect the report from the database and render it.
    """
    from inspect_app.auth.models import User
    from inspect_app.clock import utcnow
    from inspect_app.extensions import db
    from inspect_app.reports import collect

    workdir = Path(workdir)
    app = make_app(workdir)
    inspection_id = int((workdir / "inspection_id").read_text())
    if engine == "reportlab":
        from inspect_app.reports.pdf import render_inspection

        def build(out: str) -> None:
            with app.app_context():
                inspection = collect.load_inspection(inspection_id)
                user = db.session.get(User, inspection.lead_inspector_id)
                render_inspection(collect.inspection_report(inspection, by=user, now=utcnow()), out=out)
        return build
    import weasyprint  # noqa: F401 - imported before the timer, like reportlab above

    def build(out: str) -> None:
        with app.app_context(), app.test_request_context("/"):
            inspection = collect.load_inspection(inspection_id)
            user = db.session.get(User, inspection.lead_inspector_id)
            _weasyprint(app, collect, inspection, user, out)
    return build


def _weasyprint(app, collect, inspection, user, out: str) -> None:
    """The HTML report page rendered by WeasyPrint (with the app's print stylesheet + TUNING)."""
    from flask import render_template
    from weasyprint import CSS, HTML

    from inspect_app.clock import utcnow
    from inspect_app.reports.heat import heat_rows

    # The same 800 px renditions the PDF embeds, by file URL: nothing is fetched over HTTP.
    report = collect.inspection_report(inspection, by=user, now=utcnow(),
                                       photo_source=lambda photo: Path(collect.photo_file(photo)).as_uri())
    html = render_template("reports/inspection.html", report=report, inspection=inspection, heat=heat_rows(report))
    # The page links its stylesheet as /static/...; point that at the files on disk.
    html = html.replace('="/static/', f'="{Path(app.static_folder).as_uri()}/')
    HTML(string=html, base_url=Path(app.static_folder).as_uri()).write_pdf(out, stylesheets=[CSS(string=TUNING)])
