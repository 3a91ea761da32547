"""The job table: the same codes whether tenants come as strings or as a categorical."""

from __future__ import annotations

import pandas as pd

from aidc.simulate import job_table


def test_categorical_tenants_code_like_strings() -> None:
    names = ["uni", "public", "uni", "startup"]
    plain = pd.DataFrame({"job_id": list("abcd"), "tenant": names, "submit_s": [0.0, 1, 2, 3],
                          "n_gpus": [1, 2, 3, 4], "duration_s": [5.0, 5, 5, 5]})
    # categories unsorted and one that no job has, as a reader's dictionary may give them
    cat = plain.assign(tenant=pd.Categorical(names, categories=["uni", "zeta", "startup", "public"]))
    a, b = job_table(plain), job_table(cat)
    assert a.tenants == b.tenants == ("public", "startup", "uni")
    assert a.tenant.tolist() == b.tenant.tolist() == [2, 0, 2, 1]
