namespace Coinage.Hosting.Orchestration;

/// <summary>Finds the programs resources need, and says how to install the ones that are missing.</summary>
public static class ExecutableLocator
{
    /// <summary>
    /// The first existing candidate (absolute, or looked up on PATH); otherwise a
    /// <see cref="ResourceFailedException"/> naming the command that installs it.
    /// </summary>
    public static string Require(string resource, string installHint, params string[] candidates) =>
        Find(candidates) ?? throw new ResourceFailedException(resource, $"{Path.GetFileName(candidates[0])} is not installed. Install it with: {installHint}");

    public static string? Find(params string[] candidates)
    {
        foreach (var candidate in candidates)
        {
            if (Path.IsPathRooted(candidate))
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
                continue;
            }
            var path = (Environment.GetEnvironmentVariable("PATH") ?? "/usr/local/bin:/usr/bin:/bin")
                .Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Append("/usr/sbin").Append("/sbin")
                .Select(dir => Path.Combine(dir, candidate))
                .FirstOrDefault(File.Exists);
            if (path is not null)
            {
                return path;
            }
        }
        return null;
    }
}
