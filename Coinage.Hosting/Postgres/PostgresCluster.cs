using System.Diagnostics;

namespace Coinage.Hosting.Postgres;

/// <summary>
/// Prepares the data directory of a <see cref="PostgresProcessResource"/> before DCP starts the server: finds the
/// binaries, hands the folders to the <c>postgres</c> user when the AppHost is root (PostgreSQL refuses to run as
/// root), refuses a cluster another server holds or of another version, and runs initdb once with the password.
/// </summary>
internal sealed class PostgresCluster(PostgresProcessResource resource, string binDirectory, string dataDirectory, string? user, bool ephemeral)
{
    public const string RequiredVersion = "15";

    /// <summary>Where the server binaries are, when they are not where Debian puts them (a Homebrew or source build).</summary>
    public const string BinDirectorySetting = "Coinage:Postgres:BinDirectory";

    /// <summary>
    /// The server binaries: those of <see cref="BinDirectorySetting"/> when set, else Debian's of PostgreSQL 15 (else 16, 17),
    /// else the folder of a <c>postgres</c> on PATH; null when none is found.
    /// </summary>
    public static string? FindBinDirectory(string? configured = null)
    {
        if (configured is { Length: > 0 })
        {
            return configured;
        }
        return new[] { RequiredVersion, "16", "17" }
            .Select(v => $"/usr/lib/postgresql/{v}/bin")
            .FirstOrDefault(d => File.Exists(Path.Combine(d, "postgres")))
            ?? (ProgramLocator.Find("postgres") is { } onPath ? Path.GetDirectoryName(onPath) : null);
    }

    public async Task PrepareAsync(ILogger logger, CancellationToken cancellationToken)
    {
        if (!File.Exists(Path.Combine(binDirectory, "postgres")) || !File.Exists(Path.Combine(binDirectory, "initdb")))
        {
            throw new ResourceStartException(resource,
                $"no PostgreSQL server program (postgres, initdb in {binDirectory}) and no container runtime: install one (sudo apt-get install -y postgresql-15), " +
                $"point --{BinDirectorySetting} at its bin folder, or start Docker or Podman.");
        }
        Directory.CreateDirectory(dataDirectory);
        if (user is not null)
        {
            await RunAsync("chown", ["-R", $"{user}:{user}", dataDirectory], null, logger, cancellationToken).ThrowIfFailed(resource, $"could not give {dataDirectory} to the {user} user (chown failed)");
            if (await RunAsync("test", ["-w", dataDirectory, "-a", "-x", dataDirectory], user, logger, cancellationToken) != 0)
            {
                throw new ResourceStartException(resource,
                    $"the {user} user cannot reach {dataDirectory} (a parent folder is private); choose a data directory it can reach with --Coinage:DataDirectory=/var/tmp/coinage.");
            }
        }
        CheckStaleState();
        if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
        {
            await InitDbAsync(logger, cancellationToken).ConfigureAwait(false);
        }
    }

    private void CheckStaleState()
    {
        var versionFile = Path.Combine(dataDirectory, "PG_VERSION");
        var serverVersion = Path.GetFileName(Path.GetDirectoryName(binDirectory));
        if (File.Exists(versionFile))
        {
            var found = File.ReadAllText(versionFile).Trim();
            if (found != serverVersion)
            {
                throw new ResourceStartException(resource,
                    $"{dataDirectory} holds a PostgreSQL {found} cluster but the server is {serverVersion}; remove it with ./coinage reset.");
            }
        }
        else if (Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new ResourceStartException(resource,
                $"{dataDirectory} is not empty but is not a PostgreSQL data directory (no PG_VERSION); remove it with ./coinage reset.");
        }

        var lockFile = Path.Combine(dataDirectory, "postmaster.pid");
        if (File.Exists(lockFile) && int.TryParse(File.ReadLines(lockFile).FirstOrDefault(), out var pid))
        {
            if (Directory.Exists($"/proc/{pid}"))
            {
                throw new ResourceStartException(resource,
                    $"another PostgreSQL (PID {pid}) is already running on {dataDirectory}; stop it (kill {pid}) or run a second copy with another --Coinage:DataDirectory.");
            }
            // Left by a server that was killed: its PID may since belong to anything, which PostgreSQL would take for
            // a live postmaster and refuse to start.
            File.Delete(lockFile);
        }
    }

    private async Task InitDbAsync(ILogger logger, CancellationToken cancellationToken)
    {
        var passwordFile = Path.Combine(Path.GetTempPath(), $"coinage-pg-{Guid.NewGuid():N}");
        var password = await resource.PasswordParameter.GetValueAsync(cancellationToken).ConfigureAwait(false);
        await File.WriteAllTextAsync(passwordFile, password + "\n", cancellationToken).ConfigureAwait(false);
        FileModes.OwnerOnly(passwordFile);
        try
        {
            if (user is not null)
            {
                await RunAsync("chown", [$"{user}:{user}", passwordFile], null, logger, cancellationToken).ThrowIfFailed(resource, "could not hand the initdb password file to the postgres user");
            }
            List<string> args =
            [
                "-D", dataDirectory, "-U", PostgresProcessResource.UserName, "--pwfile", passwordFile,
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
            ];
            if (ephemeral)
            {
                args.Add("--no-sync");
            }
            await RunAsync(Path.Combine(binDirectory, "initdb"), args, user, logger, cancellationToken).ThrowIfFailed(resource, "initdb failed (its output is in the resource's console log)");
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>Runs a short command, as <paramref name="asUser"/> if given, its output going to the resource's log.</summary>
    private static async Task<int> RunAsync(string program, IEnumerable<string> args, string? asUser, ILogger logger, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo(asUser is null ? program : "setpriv")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asUser is not null)
        {
            foreach (var arg in (string[])["--reuid", asUser, "--regid", asUser, "--init-groups", "--", program])
            {
                info.ArgumentList.Add(arg);
            }
        }
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) logger.LogInformation("{Line}", line); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is { Length: > 0 } line) logger.LogError("{Line}", line); };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return process.ExitCode;
    }
}

internal static class ExitCodeExtensions
{
    public static async Task ThrowIfFailed(this Task<int> run, IResource resource, string message)
    {
        if (await run.ConfigureAwait(false) != 0)
        {
            throw new ResourceStartException(resource, message);
        }
    }
}
