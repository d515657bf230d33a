import shutil
import subprocess
import time
from pathlib import Path

import pytest

from cityhall.cases.workflow import APPLICANT


@pytest.fixture
def submitted_case(sample_service, db):
    from cityhall.cases import services

    case = services.open_case(
        service="sample", contact_name="Ana García", contact_email="Ana@Example.org", language="es"
    )
    services.transition_case(case=case, transition="submit", acting_as=APPLICANT)
    return case


# ---- a real ClamAV daemon -------------------------------------------------

CLAMD = shutil.which("clamd") or "/usr/sbin/clamd"
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(scope="session")
def clamd_url(tmp_path_factory):
    """unix:// URL of a clamd started for the session on a one-signature database.

    Signature downloads are impossible here (and ClamAV 1.4 does not know EICAR
    without them), so the database is a body signature of the EICAR string
    written by the test: it starts in well under a second."""
    if not Path(CLAMD).exists():
        pytest.skip("clamd is missing: apt-get install clamav-daemon (CI installs it)")
    home = tmp_path_factory.mktemp("clamd")
    (home / "db").mkdir()
    (home / "db" / "cityhall-test.ndb").write_text(f"CityHall.Test.EICAR:0:*:{EICAR.hex()}\n")
    socket_path = home / "clamd.sock"
    (home / "clamd.conf").write_text(
        f"LocalSocket {socket_path}\n"
        f"DatabaseDirectory {home / 'db'}\n"
        "Foreground yes\n"
        f"LogFile {home / 'clamd.log'}\n"
    )
    process = subprocess.Popen(
        [CLAMD, "-c", str(home / "clamd.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"unix://{socket_path}"
    from cityhall.cases.clamd import ping

    deadline = time.monotonic() + 30
    while not ping(url, timeout=1):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (home / "clamd.log").read_text() if (home / "clamd.log").exists() else ""
            pytest.fail(f"clamd did not start:\n{log}")
        time.sleep(0.05)
    yield url
    process.terminate()
    process.wait(timeout=10)
