"""The repository layout of a Convex project: where things are (:mod:`.layout`) and how
``ctl-convex init`` creates the missing parts (:mod:`.init`, templates in ``templates/``).

The templates are package data: they live inside the ``convex_ssot`` package, so the wheel
ships them without any extra build configuration (see :func:`convex_ssot.resources.template_dir`).
"""
