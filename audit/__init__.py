"""The audit log: who viewed, exported, changed or erased personal data, when and why."""
