// The sandbox's users run commands against it with the same process helpers.
@_exported import ProcessRunner
