"""Django's upload handlers, reading a request's body a mebibyte at a time.

Django reads uploads 64 KiB at a time; under gunicorn each such read copies the rest of
gunicorn's own 1 MiB buffer, so a 1 GiB upload cost about 2.5 s of copying in the web
worker (bench_upload, profiled). Reading 1 MiB at a time took its request from 2.8 s to
1.6 s; 4 MiB was slower again. Django takes the smallest chunk of all the handlers, so
both are set. What they hold is unchanged: a file up to FILE_UPLOAD_MAX_MEMORY_SIZE in
memory, a bigger one in a temporary file (FILE_UPLOAD_TEMP_DIR, beside the media, so that
storing it is a rename).
"""

from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler

CHUNK = 1024 * 1024


class MemoryHandler(MemoryFileUploadHandler):
    chunk_size = CHUNK


class TemporaryFileHandler(TemporaryFileUploadHandler):
    chunk_size = CHUNK
