"""Puts the controller's identity into every page: every footer names who is responsible."""

from declaration.selectors import get_declaration


def controller(request):
    declaration = get_declaration()
    return {"controller": declaration.controller, "policy_version": declaration.current}
