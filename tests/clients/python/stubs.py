"""Generates grpcio stubs at start-up with Debian's protoc and grpc_python_plugin.

Shared by identity_client.py and interop.py: the stubs go to a temporary directory that is on
sys.path while the `generated_stubs` block runs, so nothing generated is ever committed.
"""

import contextlib
import os
import shutil
import subprocess
import sys
import tempfile

import grpc_tools

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
PROTOS = os.path.join(REPO_ROOT, "protos")
TEST_PROTOS = os.path.join(REPO_ROOT, "tests", "protos")

# Debian's protoc matches Debian's python3-protobuf runtime; another protoc on PATH may not.
PROTOC = "/usr/bin/protoc"
GRPC_PYTHON_PLUGIN = "/usr/bin/grpc_python_plugin"
# The well-known types (google/protobuf/timestamp.proto, ...) as python3-grpc-tools ships them:
# Debian's protoc has no include directory of its own without libprotobuf-dev.
WELL_KNOWN_PROTOS = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")


@contextlib.contextmanager
def generated_stubs(prefix, include_dirs, proto_files, relocated_protos=None):
    """Compiles proto_files (relative to include_dirs) into a temporary directory on sys.path.

    relocated_protos maps a new relative path to a source .proto: that proto is compiled from a
    copy under the new path (its proto package, and so its wire names, stay the same). Needed
    where the original path would shadow an installed Python package.
    """
    for tool in (PROTOC, GRPC_PYTHON_PLUGIN):
        if not os.access(tool, os.X_OK):
            raise RuntimeError(f"{tool} is missing (Debian protobuf-compiler, protobuf-compiler-grpc): "
                               "run build/install-test-deps.sh")
    relocated_protos = relocated_protos or {}
    with tempfile.TemporaryDirectory(prefix=prefix) as out_dir:
        include_dirs = [*include_dirs, WELL_KNOWN_PROTOS]
        if relocated_protos:
            relocated_root = os.path.join(out_dir, "relocated")
            include_dirs.append(relocated_root)
            for relative_path, source in relocated_protos.items():
                destination = os.path.join(relocated_root, relative_path)
                os.makedirs(os.path.dirname(destination), exist_ok=True)
                shutil.copy(source, destination)
        subprocess.run(
            [PROTOC, f"--plugin=protoc-gen-grpc_python={GRPC_PYTHON_PLUGIN}",
             *(arg for directory in include_dirs for arg in ("-I", directory)),
             f"--python_out={out_dir}", f"--grpc_python_out={out_dir}",
             *proto_files, *relocated_protos],
            check=True)
        # Generated google/rpc joins the installed google.protobuf: both are namespace packages.
        sys.path.insert(0, out_dir)
        try:
            yield out_dir
        finally:
            sys.path.remove(out_dir)
