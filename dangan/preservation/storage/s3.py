import datetime
from collections.abc import Iterator
from typing import BinaryIO

import boto3
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import ClientError

from dangan.preservation.storage.base import KEY_RE, BlobMissing, StagedBlob, Storage, key_for

# Parts of 64 MiB keep a 1 GiB upload to 16 parts; S3 shows the object only when the upload completes.
PART_SIZE = 64 * 1024 * 1024
# An upload not completed after this long was left by a killed process (an ingest never takes this long).
STALE_UPLOAD = datetime.timedelta(hours=24)


class S3Storage(Storage):
    name = "s3"

    def __init__(
        self, staging_dir, endpoint, bucket, access_key, secret_key, region="us-east-1", part_size=PART_SIZE
    ):
        super().__init__(staging_dir)
        self.endpoint, self.bucket = endpoint, bucket
        # Files above one part go up in parts (a multipart upload): several at once, each retried alone.
        self.transfer = TransferConfig(
            multipart_threshold=part_size, multipart_chunksize=part_size, max_concurrency=4
        )
        self.client = boto3.client(
            "s3",
            endpoint_url=endpoint or None,
            aws_access_key_id=access_key,
            aws_secret_access_key=secret_key,
            region_name=region,
            config=Config(
                s3={"addressing_style": "path"},
                retries={"max_attempts": 3},
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
            ),
        )

    def commit(self, staged: StagedBlob, sha256: str) -> str:
        key = key_for(sha256)
        staged.finish()
        try:
            if self.exists(key) and self.size(key) == staged.size:
                return key
            self.client.upload_file(
                str(staged.path),
                self.bucket,
                key,
                Config=self.transfer,
                ExtraArgs={"Metadata": {"sha256": sha256}},
            )
            stored = self.size(key)
            if stored != staged.size:
                self.delete(key)
                raise OSError(f"S3 stored {stored} bytes of {staged.size} for {key}")
            return key
        finally:
            staged.discard()

    def open(self, key: str) -> BinaryIO:
        try:
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        except ClientError as e:
            if _not_found(e):
                raise BlobMissing(key) from None
            raise

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
            return True
        except ClientError as e:
            if _not_found(e):
                return False
            raise

    def size(self, key: str) -> int:
        try:
            return self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]
        except ClientError as e:
            if _not_found(e):
                raise BlobMissing(key) from None
            raise

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=key)

    def keys(self) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix="sha256/"):
            for entry in page.get("Contents", []):
                if KEY_RE.match(entry["Key"]):
                    yield entry["Key"]

    def incomplete_uploads(self) -> list[dict]:
        """Multipart uploads begun and neither completed nor aborted: their parts are stored, unseen by
        ``keys()``, until aborted."""
        uploads = []
        paginator = self.client.get_paginator("list_multipart_uploads")
        for page in paginator.paginate(Bucket=self.bucket, Prefix="sha256/"):
            uploads.extend(page.get("Uploads", []))
        return uploads

    def abort_stale_uploads(self, older_than: datetime.timedelta = STALE_UPLOAD) -> int:
        """Abort the multipart uploads that a killed ingest left (by age: S3 does not say who began one)."""
        cutoff = datetime.datetime.now(datetime.UTC) - older_than
        aborted = 0
        for upload in self.incomplete_uploads():
            if upload["Initiated"] <= cutoff:
                self.client.abort_multipart_upload(
                    Bucket=self.bucket, Key=upload["Key"], UploadId=upload["UploadId"]
                )
                aborted += 1
        return aborted

    def ensure_bucket(self) -> None:
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def describe(self) -> str:
        return f"s3 {self.endpoint} bucket {self.bucket}"


def _not_found(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")
