"""Control-plane calls of the Batch API, sync and async, on fw_core's own clients.

Every path is under ``{control plane}/v1/accounts/{account_id}/`` (the control plane is
:func:`fw_core.endpoints.models.control_plane_url` of the client's base URL, as the catalog uses).
Requests go through :meth:`Client.request`, so they get the same headers, retries and
typed errors as every other call. The output files are fetched from the signed URLs that
``:getDownloadEndpoint`` hands out, with a plain GET (no API key: the URL is the grant).

Example:
    >>> import httpx
    >>> from fw_core import FIREWORKS, Client
    >>> from fw_core.testing import WireDouble
    >>> client = Client(FIREWORKS, api_key="example-key",
    ...                 http_client=httpx.Client(transport=WireDouble().transport()))
    >>> _ = create_dataset(client, "acme", "in-1", example_count=1)
    >>> upload_dataset(client, "acme", "in-1", b'{"custom_id":"a","body":{"messages":[]}}\\n')
    >>> get_dataset(client, "acme", "in-1")["state"]
    'READY'
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import httpx

from fw_core.endpoints.batch.lines import ERRORS_FILE, RESULTS_FILE, JobInfo, parse_job
from fw_core.endpoints.models import control_plane_url
from fw_core.errors import (
    APIConnectionError,
    ConfigurationError,
    ResponseValidationError,
    make_status_error,
)
from fw_core.http.client import AsyncClient, Client
from fw_core.providers import FIREWORKS

__all__ = [
    "acancel_job",
    "acreate_dataset",
    "acreate_job",
    "adownload_output",
    "aget_dataset",
    "aget_job",
    "alist_jobs",
    "aupload_dataset",
    "cancel_job",
    "create_dataset",
    "create_job",
    "dataset_name",
    "download_output",
    "get_dataset",
    "get_job",
    "job_body",
    "list_jobs",
    "resource_id",
    "upload_dataset",
]

_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
_ACCOUNT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def resource_id(value: str, what: str) -> str:
    """The last path segment of a resource name, checked as a Fireworks resource id.

    >>> resource_id("accounts/a/datasets/in-1", "dataset id")
    'in-1'
    """
    rid = value.rsplit("/", 1)[-1] if isinstance(value, str) else ""
    if not _ID_RE.match(rid):
        raise ConfigurationError(
            f"{what} must be lower-case letters, digits and '-' (at most 63), got {value!r}"
        )
    return rid


def dataset_name(account_id: str, dataset_id: str) -> str:
    """``accounts/{account}/datasets/{id}``, the form the job resource refers to datasets by."""
    return f"accounts/{account_id}/datasets/{resource_id(dataset_id, 'dataset id')}"


def _base(client: Client | AsyncClient, account_id: str) -> str:
    client.provider.require(FIREWORKS, "the Batch API")
    if not isinstance(account_id, str) or not _ACCOUNT_RE.match(account_id):
        raise ConfigurationError(f"account_id must be a Fireworks account id, got {account_id!r}")
    return f"{control_plane_url(client.base_url)}/v1/accounts/{account_id}"


def _dataset_args(account_id: str, dataset_id: str, example_count: int) -> dict[str, Any]:
    return {
        "datasetId": resource_id(dataset_id, "dataset id"),
        # exampleCount is required for uploaded datasets, though the reference does not
        # say so (docs/wire.md §7.3); proto int64 travels as a string.
        "dataset": {"userUploaded": {}, "exampleCount": str(int(example_count))},
    }


def job_body(
    account_id: str,
    *,
    model: str | None,
    input_dataset_id: str | None,
    output_dataset_id: str | None = None,
    inference_parameters: Mapping[str, Any] | None = None,
    display_name: str | None = None,
    continued_from_job_name: str | None = None,
) -> dict[str, Any]:
    """The ``batchInferenceJobs`` create body (camelCase, as the reference spells it).

    ``model`` and ``input_dataset_id`` may be left out only when continuing a job.

    >>> job_body("a", model="accounts/fireworks/models/m", input_dataset_id="in-1",
    ...          inference_parameters={"maxTokens": 64})
    ... # doctest: +NORMALIZE_WHITESPACE
    {'model': 'accounts/fireworks/models/m', 'inputDatasetId': 'accounts/a/datasets/in-1',
     'inferenceParameters': {'maxTokens': 64}}
    """
    if continued_from_job_name is None and (not model or not input_dataset_id):
        raise ConfigurationError("a batch job needs a model and an input dataset")
    body: dict[str, Any] = {}
    if model:
        body["model"] = model
    if input_dataset_id:
        body["inputDatasetId"] = dataset_name(account_id, input_dataset_id)
    if output_dataset_id:
        body["outputDatasetId"] = dataset_name(account_id, output_dataset_id)
    if inference_parameters:
        body["inferenceParameters"] = dict(inference_parameters)
    if display_name:
        body["displayName"] = display_name
    if continued_from_job_name:
        body["continuedFromJobName"] = continued_from_job_name
    return body


def _job_params(job_id: str | None) -> dict[str, str] | None:
    return None if job_id is None else {"batchInferenceJobId": resource_id(job_id, "job id")}


def _jobs_page(payload: Any) -> tuple[list[JobInfo], str | None]:
    if not isinstance(payload, dict):
        raise ResponseValidationError("batch job list is not an object")
    jobs = payload.get("batchInferenceJobs") or []
    if not isinstance(jobs, list):
        raise ResponseValidationError("batch job list has no 'batchInferenceJobs' list")
    return [parse_job(j) for j in jobs], payload.get("nextPageToken") or None


def _signed_urls(payload: Any) -> dict[str, str]:
    urls = payload.get("filenameToSignedUrls") if isinstance(payload, dict) else None
    if not isinstance(urls, dict):
        raise ResponseValidationError("download endpoint answered without filenameToSignedUrls")
    return {str(k): str(v) for k, v in urls.items()}


def _pick(urls: Mapping[str, str]) -> tuple[list[str], list[str]]:
    """(results URLs, error URLs) by file name; files named neither count as results."""
    results, errors = [], []
    for name, url in sorted(urls.items()):
        base = name.rsplit("/", 1)[-1]
        if base == ERRORS_FILE or "error" in base.lower():
            errors.append(url)
        elif base == RESULTS_FILE or base.endswith(".jsonl") or "." not in base:
            results.append(url)
    return results, errors


def _fetched(response: httpx.Response) -> bytes:
    if response.status_code >= 300:
        raise make_status_error(response.status_code, response.content)
    return response.content


# -- sync -----------------------------------------------------------------------------------


def create_dataset(
    client: Client, account_id: str, dataset_id: str, *, example_count: int
) -> dict[str, Any]:
    """``POST datasets``: an empty user-uploaded dataset (state ``UPLOADING``)."""
    url = f"{_base(client, account_id)}/datasets"
    body = _dataset_args(account_id, dataset_id, example_count)
    return dict(client.request("POST", url, json_body=body).json())


def upload_dataset(
    client: Client, account_id: str, dataset_id: str, content: bytes, *, filename: str = ""
) -> None:
    """``POST datasets/{id}:upload``: one JSONL file as multipart ``file`` (up to 150 MB)."""
    url = f"{_base(client, account_id)}/datasets/{resource_id(dataset_id, 'dataset id')}:upload"
    name = filename or f"{dataset_id}.jsonl"
    client.request("POST", url, files={"file": (name, content, "application/jsonl")})


def get_dataset(client: Client, account_id: str, dataset_id: str) -> dict[str, Any]:
    """``GET datasets/{id}`` (``state``: UPLOADING, READY, ...)."""
    url = f"{_base(client, account_id)}/datasets/{resource_id(dataset_id, 'dataset id')}"
    return dict(client.request("GET", url).json())


def create_job(
    client: Client, account_id: str, body: Mapping[str, Any], *, job_id: str | None = None
) -> JobInfo:
    """``POST batchInferenceJobs`` with a :func:`job_body` (``job_id`` chosen or generated)."""
    url = f"{_base(client, account_id)}/batchInferenceJobs"
    resp = client.request("POST", url, json_body=dict(body), params=_job_params(job_id))
    return parse_job(resp.json())


def get_job(client: Client, account_id: str, job_id: str) -> JobInfo:
    """``GET batchInferenceJobs/{id}``."""
    url = f"{_base(client, account_id)}/batchInferenceJobs/{resource_id(job_id, 'job id')}"
    return parse_job(client.request("GET", url).json())


def list_jobs(client: Client, account_id: str, *, max_pages: int = 20) -> list[JobInfo]:
    """``GET batchInferenceJobs``, following ``nextPageToken`` (at most ``max_pages``)."""
    url = f"{_base(client, account_id)}/batchInferenceJobs"
    params: dict[str, Any] = {"pageSize": 200}
    out: list[JobInfo] = []
    for _ in range(max_pages):
        jobs, token = _jobs_page(client.request("GET", url, params=params).json())
        out.extend(jobs)
        if not token:
            break
        params = {**params, "pageToken": token}
    return out


def cancel_job(client: Client, account_id: str, job_id: str) -> None:
    """Stop a job: ``DELETE batchInferenceJobs/{id}`` (the API has no separate cancel)."""
    url = f"{_base(client, account_id)}/batchInferenceJobs/{resource_id(job_id, 'job id')}"
    client.request("DELETE", url)


def download_output(client: Client, account_id: str, dataset_id: str) -> tuple[bytes, bytes]:
    """(results file, error file) of an output dataset, each files' bytes concatenated."""
    rid = resource_id(dataset_id, "dataset id")
    url = f"{_base(client, account_id)}/datasets/{rid}:getDownloadEndpoint"
    results, errors = _pick(_signed_urls(client.request("GET", url).json()))
    http = client.http_client
    try:
        got = [
            [_fetched(http.get(u, timeout=client.timeout)) for u in urls]
            for urls in (results, errors)
        ]
    except httpx.TransportError as exc:
        raise APIConnectionError(f"downloading the batch output failed: {exc}") from exc
    return b"".join(got[0]), b"".join(got[1])


# -- async ----------------------------------------------------------------------------------


async def acreate_dataset(
    client: AsyncClient, account_id: str, dataset_id: str, *, example_count: int
) -> dict[str, Any]:
    """Async twin of :func:`create_dataset`."""
    url = f"{_base(client, account_id)}/datasets"
    body = _dataset_args(account_id, dataset_id, example_count)
    return dict((await client.request("POST", url, json_body=body)).json())


async def aupload_dataset(
    client: AsyncClient, account_id: str, dataset_id: str, content: bytes, *, filename: str = ""
) -> None:
    """Async twin of :func:`upload_dataset`."""
    url = f"{_base(client, account_id)}/datasets/{resource_id(dataset_id, 'dataset id')}:upload"
    name = filename or f"{dataset_id}.jsonl"
    await client.request("POST", url, files={"file": (name, content, "application/jsonl")})


async def aget_dataset(client: AsyncClient, account_id: str, dataset_id: str) -> dict[str, Any]:
    """Async twin of :func:`get_dataset`."""
    url = f"{_base(client, account_id)}/datasets/{resource_id(dataset_id, 'dataset id')}"
    return dict((await client.request("GET", url)).json())


async def acreate_job(
    client: AsyncClient, account_id: str, body: Mapping[str, Any], *, job_id: str | None = None
) -> JobInfo:
    """Async twin of :func:`create_job`."""
    url = f"{_base(client, account_id)}/batchInferenceJobs"
    resp = await client.request("POST", url, json_body=dict(body), params=_job_params(job_id))
    return parse_job(resp.json())


async def aget_job(client: AsyncClient, account_id: str, job_id: str) -> JobInfo:
    """Async twin of :func:`get_job`."""
    url = f"{_base(client, account_id)}/batchInferenceJobs/{resource_id(job_id, 'job id')}"
    return parse_job((await client.request("GET", url)).json())


async def alist_jobs(client: AsyncClient, account_id: str, *, max_pages: int = 20) -> list[JobInfo]:
    """Async twin of :func:`list_jobs`."""
    url = f"{_base(client, account_id)}/batchInferenceJobs"
    params: dict[str, Any] = {"pageSize": 200}
    out: list[JobInfo] = []
    for _ in range(max_pages):
        jobs, token = _jobs_page((await client.request("GET", url, params=params)).json())
        out.extend(jobs)
        if not token:
            break
        params = {**params, "pageToken": token}
    return out


async def acancel_job(client: AsyncClient, account_id: str, job_id: str) -> None:
    """Async twin of :func:`cancel_job`."""
    url = f"{_base(client, account_id)}/batchInferenceJobs/{resource_id(job_id, 'job id')}"
    await client.request("DELETE", url)


async def adownload_output(
    client: AsyncClient, account_id: str, dataset_id: str
) -> tuple[bytes, bytes]:
    """Async twin of :func:`download_output`."""
    rid = resource_id(dataset_id, "dataset id")
    url = f"{_base(client, account_id)}/datasets/{rid}:getDownloadEndpoint"
    results, errors = _pick(_signed_urls((await client.request("GET", url)).json()))
    http = client.http_client
    got: list[list[bytes]] = [[], []]
    try:
        for slot, urls in enumerate((results, errors)):
            for u in urls:
                got[slot].append(_fetched(await http.get(u, timeout=client.timeout)))
    except httpx.TransportError as exc:
        raise APIConnectionError(f"downloading the batch output failed: {exc}") from exc
    return b"".join(got[0]), b"".join(got[1])
