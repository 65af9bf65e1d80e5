# SPDX-License-Identifier: BSD-3-Clause
"""The peers of the L2 benchmark: how each is started, measured and stopped."""
