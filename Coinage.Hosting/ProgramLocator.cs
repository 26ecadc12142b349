namespace Coinage.Hosting;

/// <summary>Finds a program by path or on PATH, as a shell would.</summary>
internal static class ProgramLocator
{
    public static string? Find(params string[] candidates)
    {
        foreach (var candidate in candidates)
        {
            if (candidate.Contains('/', StringComparison.Ordinal))
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
                continue;
            }
            foreach (var directory in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var path = Path.Combine(directory, candidate);
                if (File.Exists(path))
                {
                    return path;
                }
            }
        }
        return null;
    }
}
