"""Builds real TUF repositories for sigscope's trust tests with python-tuf's Metadata API.

The repository is a folder of static files (served on 127.0.0.1 by the tests): consistent
snapshots (`N.root.json`, `N.snapshot.json`, `N.targets.json`, `targets/<sha256>.<name>`), ECDSA
P-256 keys, and timestamp/snapshot metadata that pin the length and hashes of what they name.
The private keys stay in DIR/keys, the repository's state in DIR/state.json; the served files are
in DIR/repo.

Usage: python-tuf tuf_repo.py DIR COMMAND [ARG]
  init FILE            version 1 of every role, FILE published as trusted_root.json
  publish FILE         FILE as the new trusted_root.json: targets, snapshot, timestamp + 1
  timestamp            a new timestamp (nothing else changed)
  expired-timestamp    a new timestamp that expired an hour ago (freeze attack)
  rotate-root          root + 1 with new root and timestamp keys, signed by the old and new root
                       keys; then a new timestamp under the new key
  hide-rotation        the newest root withdrawn from the mirror, and a new timestamp signed by
                       the timestamp key that root rotated out
  foreign-timestamp    a new timestamp signed by a key not in root (under the trusted key's id)
  rollback-snapshot    a new timestamp pinning the previous snapshot version
  rollback-targets     a new snapshot pinning the previous targets version, and its timestamp
  tamper-target        the current trusted_root.json's bytes changed on the mirror, same length
  pad-target           the current trusted_root.json's bytes grown on the mirror
  mix-and-match        the current N.targets.json's bytes replaced by the previous version's
"""

import hashlib
import json
import os
import shutil
import sys
from datetime import datetime, timedelta, timezone

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import (
    Metadata,
    MetaFile,
    Role,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

TARGET = "trusted_root.json"
ROLES = ["root", "targets", "snapshot", "timestamp"]


def now():
    return datetime.now(timezone.utc).replace(microsecond=0)


def in_days(days):
    return now() + timedelta(days=days)


class Repo:
    def __init__(self, folder):
        self.folder = folder
        self.repo = os.path.join(folder, "repo")
        self.keys = os.path.join(folder, "keys")
        path = os.path.join(folder, "state.json")
        self.state = json.load(open(path)) if os.path.exists(path) else None

    # --- keys ---------------------------------------------------------------------------------
    def new_key(self, name):
        private = ec.generate_private_key(ec.SECP256R1())
        os.makedirs(self.keys, exist_ok=True)
        with open(os.path.join(self.keys, name + ".pem"), "wb") as f:
            f.write(
                private.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        return name

    def signer(self, name):
        with open(os.path.join(self.keys, name + ".pem"), "rb") as f:
            private = serialization.load_pem_private_key(f.read(), None)
        return CryptoSigner(private, SSlibKey.from_crypto(private.public_key()))

    def public(self, name):
        return self.signer(name).public_key

    # --- files --------------------------------------------------------------------------------
    def write(self, name, md, signers):
        md.signatures.clear()
        for s in signers:
            md.sign(self.signer(s), append=True)
        data = md.to_bytes(JSONSerializer(compact=False))
        os.makedirs(self.repo, exist_ok=True)
        with open(os.path.join(self.repo, name), "wb") as f:
            f.write(data)
        return data

    def read(self, name):
        with open(os.path.join(self.repo, name), "rb") as f:
            return f.read()

    def save(self):
        with open(os.path.join(self.folder, "state.json"), "w") as f:
            json.dump(self.state, f, indent=2)

    def meta(self, data, version):
        return MetaFile(
            version=version,
            length=len(data),
            hashes={"sha256": hashlib.sha256(data).hexdigest()},
        )

    # --- roles --------------------------------------------------------------------------------
    def root_md(self, version):
        root = Root(version=version, expires=in_days(365), consistent_snapshot=True)
        for role in ROLES:
            root.roles[role] = Role([], threshold=1)
            for key in self.state["keys"][role]:
                root.add_key(self.public(key), role)
        return Metadata(root)

    def publish_target(self, file):
        data = open(file, "rb").read()
        os.makedirs(os.path.join(self.repo, "targets"), exist_ok=True)
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(self.repo, "targets", f"{digest}.{TARGET}"), "wb") as f:
            f.write(data)
        self.state["target"] = digest
        targets = Targets(version=self.state["versions"]["targets"] + 1, expires=in_days(90))
        targets.targets[TARGET] = TargetFile.from_data(TARGET, data, ["sha256"])
        self.state["versions"]["targets"] = targets.version
        self.write(f"{targets.version}.targets.json", Metadata(targets), self.state["keys"]["targets"])

    def snapshot(self, targets_version=None):
        v = targets_version or self.state["versions"]["targets"]
        data = self.read(f"{v}.targets.json")
        snapshot = Snapshot(version=self.state["versions"]["snapshot"] + 1, expires=in_days(30))
        snapshot.meta["targets.json"] = self.meta(data, v)
        self.state["versions"]["snapshot"] = snapshot.version
        self.write(f"{snapshot.version}.snapshot.json", Metadata(snapshot), self.state["keys"]["snapshot"])

    def timestamp(self, snapshot_version=None, expires=None, signers=None):
        v = snapshot_version or self.state["versions"]["snapshot"]
        data = self.read(f"{v}.snapshot.json")
        ts = Timestamp(version=self.state["versions"]["timestamp"] + 1, expires=expires or in_days(7))
        ts.snapshot_meta = self.meta(data, v)
        self.state["versions"]["timestamp"] = ts.version
        self.write("timestamp.json", Metadata(ts), signers or self.state["keys"]["timestamp"])

    def write_root(self, signers):
        v = self.state["versions"]["root"]
        data = self.write(f"{v}.root.json", self.root_md(v), signers)
        with open(os.path.join(self.repo, "root.json"), "wb") as f:
            f.write(data)

    # --- commands -----------------------------------------------------------------------------
    def init(self, file):
        self.state = {
            "keys": {role: [self.new_key(f"{role}-1")] for role in ROLES},
            "versions": {"root": 1, "targets": 0, "snapshot": 0, "timestamp": 0},
            "generation": 1,
        }
        self.write_root(self.state["keys"]["root"])
        self.publish_target(file)
        self.snapshot()
        self.timestamp()

    def publish(self, file):
        self.publish_target(file)
        self.snapshot()
        self.timestamp()

    def rotate_root(self):
        old = list(self.state["keys"]["root"])
        g = self.state["generation"] + 1
        self.state["generation"] = g
        self.state["keys"]["root"] = [self.new_key(f"root-{g}")]
        self.state["keys"]["timestamp"] = [self.new_key(f"timestamp-{g}")]
        self.state["versions"]["root"] += 1
        self.write_root(old + self.state["keys"]["root"])
        self.timestamp()

    def foreign_timestamp(self):
        # Signed by a key root does not list, under the id of the key it does.
        foreign = self.new_key("foreign")
        trusted = self.state["keys"]["timestamp"][0]
        v = self.state["versions"]["snapshot"]
        ts = Timestamp(version=self.state["versions"]["timestamp"] + 1, expires=in_days(7))
        ts.snapshot_meta = self.meta(self.read(f"{v}.snapshot.json"), v)
        md = Metadata(ts)
        md.sign(self.signer(foreign))
        sig = md.signatures.pop(self.public(foreign).keyid)
        sig.keyid = self.public(trusted).keyid
        md.signatures[sig.keyid] = sig
        with open(os.path.join(self.repo, "timestamp.json"), "wb") as f:
            f.write(md.to_bytes(JSONSerializer(compact=False)))

    def hide_rotation(self):
        # The latest root withdrawn, and a timestamp signed by the key it rotated out.
        v = self.state["versions"]["root"]
        os.remove(os.path.join(self.repo, f"{v}.root.json"))
        shutil.copyfile(
            os.path.join(self.repo, f"{v - 1}.root.json"), os.path.join(self.repo, "root.json")
        )
        self.timestamp(signers=[f"timestamp-{self.state['generation'] - 1}"])

    def tamper_target(self, pad):
        path = os.path.join(self.repo, "targets", f"{self.state['target']}.{TARGET}")
        data = bytearray(open(path, "rb").read())
        if pad:
            data[data.index(b"{") + 1 : data.index(b"{") + 1] = b' "tampered": true,'
        else:
            # Same length, other bytes: only the hash can tell.
            at = data.index(b'"mediaType"')
            data[at + 1 : at + 2] = b"M"
        open(path, "wb").write(bytes(data))

    def mix_and_match(self):
        v = self.state["versions"]["targets"]
        shutil.copyfile(
            os.path.join(self.repo, f"{v - 1}.targets.json"),
            os.path.join(self.repo, f"{v}.targets.json"),
        )


def main():
    folder, command, *args = sys.argv[1:]
    repo = Repo(folder)
    if command == "init":
        repo.init(args[0])
    elif command == "publish":
        repo.publish(args[0])
    elif command == "timestamp":
        repo.timestamp()
    elif command == "expired-timestamp":
        repo.timestamp(expires=now() - timedelta(hours=1))
    elif command == "rotate-root":
        repo.rotate_root()
    elif command == "foreign-timestamp":
        repo.foreign_timestamp()
    elif command == "rollback-snapshot":
        repo.timestamp(snapshot_version=repo.state["versions"]["snapshot"] - 1)
    elif command == "rollback-targets":
        repo.snapshot(targets_version=repo.state["versions"]["targets"] - 1)
        repo.timestamp()
    elif command == "hide-rotation":
        repo.hide_rotation()
    elif command == "tamper-target":
        repo.tamper_target(pad=False)
    elif command == "pad-target":
        repo.tamper_target(pad=True)
    elif command == "mix-and-match":
        repo.mix_and_match()
    else:
        sys.exit(f"tuf_repo.py: unknown command {command!r}")
    repo.save()


if __name__ == "__main__":
    main()
