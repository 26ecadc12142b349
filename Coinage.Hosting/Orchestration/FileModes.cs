namespace Coinage.Hosting.Orchestration;

/// <summary>Unix permissions for the files the orchestrator writes (no-ops where Unix modes do not exist).</summary>
internal static class FileModes
{
    /// <summary>rw------- : secrets.</summary>
    public static void OwnerOnly(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>rwxr-xr-x : a folder another local user (postgres) must traverse.</summary>
    public static void Traversable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        }
    }
}
