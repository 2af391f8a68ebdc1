from tests.support import fast_password_hashing, plain_http_single_factor, static_files_without_manifest, world

__all__ = ["fast_password_hashing", "plain_http_single_factor", "static_files_without_manifest", "world"]
