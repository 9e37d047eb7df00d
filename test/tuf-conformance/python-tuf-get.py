#!/usr/bin/env python3
"""Manual check (not part of npm test): the python-tuf ngclient reads a cnab-trust repository served over HTTP.

Usage (python-tuf 5.1.0 and securesystemslib from the conformance setup, see README.md):
  PYTHONPATH=$D/shim:$D/python-tuf:$D/sslib python3 python-tuf-get.py URL TRUSTED_ROOT TARGET [--lookup-only]
Prints the target's length and sha256 after a full refresh and a verified download of the target file.
With --lookup-only it stops after the lookup, as `cnab-trust tuf get` does without --download: the reference of
bench/tuf-client.bench.ts.
"""
import os
import shutil
import sys
import tempfile

from tuf.ngclient import Updater

url, trusted_root, target = sys.argv[1:4]
lookup_only = sys.argv[4:5] == ["--lookup-only"]
metadata_dir, target_dir = tempfile.mkdtemp(), tempfile.mkdtemp()
try:
    shutil.copyfile(trusted_root, os.path.join(metadata_dir, "root.json"))
    updater = Updater(metadata_dir, url, target_dir, url.rstrip("/") + "/targets/")
    updater.refresh()
    info = updater.get_targetinfo(target)
    if info is None:
        sys.exit(f"{target}: not found")
    if not lookup_only:
        updater.download_target(info)
    print(f"python-tuf: {target} length {info.length} sha256 {info.hashes['sha256']}")
    if not lookup_only:
        print(f"trusted metadata: {sorted(os.listdir(metadata_dir))}")
finally:
    shutil.rmtree(metadata_dir)
    shutil.rmtree(target_dir)
