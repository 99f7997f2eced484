"""The Kubernetes names of one database, derived from its name and arguments."""

from __future__ import annotations

from .._validators import validate_database_name
from .args import StatefulDatabaseArgs


def database_identifier(name: str) -> str:
    return name.replace("-", "_")


class Names:
    """The Kubernetes names of one database (logical names are ``<name>-<role>``)."""

    def __init__(self, name: str, args: StatefulDatabaseArgs) -> None:
        self.name = name
        self.namespace = args.namespace
        self.primary = name
        self.replica = f"{name}-replica"
        self.headless = f"{name}-headless"
        self.read_only = f"{name}-ro"
        self.config = f"{name}-config"
        self.app_secret = f"{name}-app"
        self.replication_secret = f"{name}-replication"
        self.backup_secret = f"{name}-backup"
        self.backup = f"{name}-backup"
        self.restore_test = f"{name}-restore-test"
        self.storage_class = f"{args.namespace}-{name}-gp3"
        self.volume_storage_class = (
            self.storage_class if args.storage.dedicated_class else args.storage.storage_class
        )
        """The class of the data volumes and the jobs' scratch volumes: the dedicated one or the chosen one."""
        self.database = args.database or database_identifier(name)
        self.username = args.username or self.database
        self.host = f"{name}.{args.namespace}.svc.cluster.local"
        self.read_only_host = f"{self.read_only}.{args.namespace}.svc.cluster.local"
        self.prefix = f"{args.namespace}/{name}/"


__all__ = ["Names", "database_identifier", "validate_database_name"]
