namespace Coinage.Hosting;

/// <summary>Unix permissions for what the AppHost writes (no-ops where Unix modes do not exist).</summary>
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

    /// <summary>rwxrwxrwt : a socket folder the postgres user writes to, like /tmp.</summary>
    public static void SharedSticky(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, (UnixFileMode)0b111_111_111 | UnixFileMode.StickyBit);
        }
    }
}
