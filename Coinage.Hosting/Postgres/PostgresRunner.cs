using System.Globalization;
using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;
using Npgsql;

namespace Coinage.Hosting.Postgres;

/// <summary>
/// Runs Debian's PostgreSQL 15 server binaries directly (no service manager): initdb once, then
/// the postmaster in the foreground, bound to 127.0.0.1. PostgreSQL refuses to run as root, so
/// when the AppHost is root the server runs as the `postgres` system user.
/// </summary>
internal sealed class PostgresRunner(PostgresServerResource resource, RunContext context) : IResourceRunner
{
    private const string RequiredVersion = "15";
    private string _bin = "";
    private string _dataDirectory = "";
    private string _socketDirectory = "";
    private string? _user;

    public async Task PrepareAsync(CancellationToken cancellationToken)
    {
        _bin = Path.GetDirectoryName(ExecutableLocator.Require(resource.Name, "sudo apt-get install -y postgresql-15",
            $"/usr/lib/postgresql/{RequiredVersion}/bin/postgres", "/usr/lib/postgresql/16/bin/postgres", "/usr/lib/postgresql/17/bin/postgres"))!;
        _user = ProcessLauncher.IsRoot ? PostgresServerResource.UserName : null;

        // Relative to the run's data directory (.coinage/ or --Coinage:DataDirectory), so two
        // runs with different data directories never share a cluster.
        _dataDirectory = context.IsTesting || resource.DataDirectory is null
            ? Path.Combine(context.ResourceDirectory(resource), "data")
            : Path.GetFullPath(resource.DataDirectory, context.Model.Context.DataDirectory);
        _socketDirectory = context.ResourceDirectory(resource, $"{resource.Name}-socket");
        if (_socketDirectory.Length > 90)
        {
            _socketDirectory = Directory.CreateTempSubdirectory("coinage-pg-").FullName; // Unix socket paths are limited to 107 bytes.
        }

        Directory.CreateDirectory(_dataDirectory);
        if (_user is not null)
        {
            await OwnAsync(_dataDirectory, cancellationToken).ConfigureAwait(false);
            await OwnAsync(_socketDirectory, cancellationToken).ConfigureAwait(false);
            await CheckReachableAsync(cancellationToken).ConfigureAwait(false);
        }
        CheckStaleState();
        if (!File.Exists(Path.Combine(_dataDirectory, "PG_VERSION")))
        {
            await InitDbAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public ProcessSpec? CreateProcess(int replica)
    {
        var port = context.Values.Port(resource.GetEndpoint("tcp")).ToString(CultureInfo.InvariantCulture);
        List<string> args =
        [
            "-D", _dataDirectory, "-p", port, "-h", "127.0.0.1", "-k", _socketDirectory,
            "-c", "max_connections=300", "-c", "shared_buffers=256MB",
            "-c", "log_min_messages=warning", "-c", "log_line_prefix=%m [%p] ",
        ];
        if (context.IsTesting)
        {
            // Test clusters are thrown away: trade crash safety of the server itself for speed.
            // (Crash tests kill services, never PostgreSQL; benchmarks run with durability on.)
            args.AddRange(["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]);
        }
        return new ProcessSpec(Path.Combine(_bin, "postgres"), args) { User = _user, StopSignal = Signals.SIGINT };
    }

    public async Task<bool> IsHealthyAsync(int replica, CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await using var command = new NpgsqlCommand("SELECT 1", connection);
            await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.InvalidPassword)
        {
            throw new ResourceFailedException(resource.Name,
                $"the cluster in {_dataDirectory} was initialised with another password than {resource.Password.Name} has now (was secrets.json deleted?); run ./coinage reset, or pass the old one with --Parameters:{resource.Password.Name}=…");
        }
        catch (NpgsqlException)
        {
            return false;
        }
    }

    public async Task OnHealthyAsync(CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        foreach (var database in resource.Databases)
        {
            await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database.DatabaseName } } };
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is null)
            {
                // The name is validated as [a-z0-9-]; quoting keeps the dash legal.
                await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.DatabaseName}\"", connection);
                await create.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                context.Logs.Write(resource.Name, $"created database {database.DatabaseName}");
            }
        }
    }

    private string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder(resource.GetConnectionString(context.Values))
        {
            Database = database,
            Pooling = false,
            Timeout = 3,
        }.ConnectionString;

    private void CheckStaleState()
    {
        var version = Path.Combine(_dataDirectory, "PG_VERSION");
        if (File.Exists(version))
        {
            var found = File.ReadAllText(version).Trim();
            if (found != Path.GetFileName(Path.GetDirectoryName(_bin)))
            {
                throw new ResourceFailedException(resource.Name,
                    $"{_dataDirectory} holds a PostgreSQL {found} cluster but the server is {Path.GetFileName(Path.GetDirectoryName(_bin))}; remove it with ./coinage reset.");
            }
        }
        else if (Directory.EnumerateFileSystemEntries(_dataDirectory).Any())
        {
            throw new ResourceFailedException(resource.Name,
                $"{_dataDirectory} is not empty but is not a PostgreSQL data directory (no PG_VERSION); remove it with ./coinage reset.");
        }

        var lockFile = Path.Combine(_dataDirectory, "postmaster.pid");
        if (File.Exists(lockFile)
            && int.TryParse(File.ReadLines(lockFile).FirstOrDefault(), out var pid)
            && Directory.Exists($"/proc/{pid}"))
        {
            throw new ResourceFailedException(resource.Name,
                $"another PostgreSQL (PID {pid}) is already running on {_dataDirectory}; stop it (kill {pid}) or run a second copy with another --Coinage:DataDirectory.");
        }
        // A lock file of a dead process is stale; PostgreSQL removes it itself.
    }

    private async Task InitDbAsync(CancellationToken cancellationToken)
    {
        var passwordFile = Path.Combine(_socketDirectory, "pwfile");
        await File.WriteAllTextAsync(passwordFile, resource.Password.Value + "\n", cancellationToken).ConfigureAwait(false);
        FileModes.OwnerOnly(passwordFile);
        if (_user is not null)
        {
            await OwnAsync(passwordFile, cancellationToken).ConfigureAwait(false);
        }
        try
        {
            List<string> args =
            [
                "-D", _dataDirectory, "-U", PostgresServerResource.UserName, "--pwfile", passwordFile,
                "--auth-host=scram-sha-256", "--auth-local=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8",
            ];
            if (context.IsTesting)
            {
                args.Add("--no-sync");
            }
            var spec = new ProcessSpec(Path.Combine(_bin, "initdb"), args) { User = _user };
            var lastError = "";
            var exitCode = await context.Launcher.RunToCompletionAsync(spec, (line, isError) =>
            {
                context.Logs.Write(resource.Name, line, isError);
                if (isError && line.Length > 0)
                {
                    lastError = line;
                }
            }, cancellationToken).ConfigureAwait(false);
            if (exitCode != 0)
            {
                throw new ResourceFailedException(resource.Name, $"initdb failed with exit code {exitCode}: {lastError}");
            }
        }
        finally
        {
            File.Delete(passwordFile);
        }
    }

    /// <summary>Hands a path to the postgres user (chown), as initdb and the server need.</summary>
    private async Task OwnAsync(string path, CancellationToken cancellationToken)
    {
        var spec = new ProcessSpec("chown", ["-R", $"{_user}:{_user}", path]);
        if (await context.Launcher.RunToCompletionAsync(spec, (line, _) => context.Logs.Write(resource.Name, line, true), cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new ResourceFailedException(resource.Name, $"could not give {path} to the {_user} user (chown failed).");
        }
    }

    /// <summary>The postgres user must be able to reach the data directory through every parent.</summary>
    private async Task CheckReachableAsync(CancellationToken cancellationToken)
    {
        var spec = new ProcessSpec("test", ["-w", _dataDirectory, "-a", "-x", _dataDirectory]) { User = _user };
        if (await context.Launcher.RunToCompletionAsync(spec, (_, _) => { }, cancellationToken).ConfigureAwait(false) != 0)
        {
            throw new ResourceFailedException(resource.Name,
                $"the {_user} user cannot reach {_dataDirectory} (a parent folder is private); choose a data directory it can reach with --Coinage:DataDirectory=/var/tmp/coinage.");
        }
    }
}
