using Coinage.Hosting.Postgres;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Coinage.Hosting;

public static class PostgresHostingExtensions
{
    /// <summary>
    /// A PostgreSQL server named <paramref name="name"/> (password parameter <c>{name}-password</c>, generated once)
    /// with the database <paramref name="databaseName"/>, returned as the resource the services reference. A container
    /// of Aspire.Hosting.PostgreSQL (data in a named volume) where a container runtime answers and always when
    /// publishing; otherwise <see cref="PostgresProcessResource"/>, with its cluster in <c>{data directory}/{name}</c>.
    /// </summary>
    public static IResourceBuilder<IResourceWithConnectionString> AddCoinagePostgres(this IDistributedApplicationBuilder builder, string name, string databaseName)
    {
        var hosting = CoinageHosting.For(builder);
        var password = hosting.AddSecret($"{name}-password");
        if (hosting.UseContainers)
        {
            // Pinned to the major version the local process runs (Debian's 15): a server of another major cannot open
            // the data directory, so a new Aspire default must never change it under a volume.
            var server = builder.AddPostgres(name, password: password, port: hosting.PinnedPort(name)).WithImageTag("15.12");
            if (builder.ExecutionContext.IsRunMode && !hosting.Ephemeral)
            {
                server.WithDataVolume($"coinage-{name}");
            }
            return server.AddDatabase(databaseName);
        }
        return builder.AddPostgresProcess(name, password).AddDatabase(databaseName);
    }

    /// <summary>PostgreSQL as a local process (see <see cref="PostgresProcessResource"/>).</summary>
    public static IResourceBuilder<PostgresProcessResource> AddPostgresProcess(this IDistributedApplicationBuilder builder, string name, IResourceBuilder<ParameterResource> password)
    {
        ArgumentNullException.ThrowIfNull(password);
        var hosting = CoinageHosting.For(builder);
        var bin = PostgresCluster.FindBinDirectory(builder.Configuration[PostgresCluster.BinDirectorySetting])
            ?? $"/usr/lib/postgresql/{PostgresCluster.RequiredVersion}/bin";
        // PostgreSQL refuses to run as root: the server runs as the postgres system user, through setpriv, which
        // execs, so DCP tracks (and signals) the postmaster itself.
        var user = Environment.IsPrivilegedProcess ? PostgresProcessResource.UserName : null;
        var server = user is null ? Path.Combine(bin, "postgres") : "setpriv";
        var dataDirectory = Path.Combine(hosting.DataDirectory, name);
        string? socketDirectory = null;
        var resource = new PostgresProcessResource(name, server, hosting.SolutionDirectory, password.Resource);
        var port = hosting.PortFor(name);

        string? connectionString = null;
        builder.Eventing.Subscribe<ConnectionStringAvailableEvent>(resource, async (_, ct) =>
            connectionString = await resource.ConnectionStringExpression.GetValueAsync(ct).ConfigureAwait(false));
        builder.Eventing.Subscribe<BeforeResourceStartedEvent>(resource, async (e, ct) =>
        {
            var logger = e.Services.GetRequiredService<ResourceLoggerService>().GetLogger(resource);
            hosting.EnsureDataDirectory();
            // Beside the cluster (deleted with the data directory), unless that path is too long for a Unix socket
            // (107 bytes, "/.s.PGSQL.PORT" included): then a short temporary folder.
            socketDirectory ??= Path.Combine(hosting.DataDirectory, $"{name}-socket") is { Length: <= 85 } beside
                ? Directory.CreateDirectory(beside).FullName
                : Directory.CreateTempSubdirectory("coinage-pg-").FullName;
            FileModes.Traversable(socketDirectory);
            if (user is not null)
            {
                FileModes.SharedSticky(socketDirectory);
            }
            await new PostgresCluster(resource, bin, dataDirectory, user, hosting.Ephemeral).PrepareAsync(logger, ct).ConfigureAwait(false);
        });
        builder.Eventing.Subscribe<ResourceReadyEvent>(resource, async (e, ct) =>
        {
            // Unpooled, like every connection of the AppHost's own: DCP stops PostgreSQL with SIGTERM, its "smart"
            // shutdown, which waits for every session to end, and an idle pooled one here would hold it until DCP
            // gives up and kills the server (about 6 s, in every test that disposes a model).
            await using var connection = new NpgsqlConnection(connectionString + ";Database=postgres;Pooling=false");
            await connection.OpenAsync(ct).ConfigureAwait(false);
            foreach (var database in resource.Databases.Values)
            {
                await using var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection) { Parameters = { new() { Value = database } } };
                if (await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) is null)
                {
                    // The name comes from the AppHost's code, not from input; quoting keeps a dash legal.
                    await using var create = new NpgsqlCommand($"CREATE DATABASE \"{database.Replace("\"", "\"\"", StringComparison.Ordinal)}\"", connection);
                    await create.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
                }
            }
            // Aspire hands a container's state down to its databases, not an executable's: the databases run from
            // now on, and their own health checks say when they answer.
            await PublishDatabaseStateAsync(e.Services, resource, KnownResourceStates.Running).ConfigureAwait(false);
        });
        builder.Eventing.Subscribe<ResourceStoppedEvent>(resource, (e, _) =>
            PublishDatabaseStateAsync(e.Services, resource, e.ResourceEvent.Snapshot.State?.Text ?? KnownResourceStates.Finished));

        var healthCheck = $"{name}_check";
        builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(healthCheck,
            _ => new PostgresProcessHealthCheck(resource, dataDirectory, () => connectionString), failureStatus: null, tags: null));

        return builder.AddResource(resource)
            .WithEndpoint(port: port, targetPort: port, scheme: "tcp", name: PostgresProcessResource.EndpointName, isProxied: false)
            .WithArgs(context =>
            {
                if (user is not null)
                {
                    context.Args.Add("--reuid"); context.Args.Add(user);
                    context.Args.Add("--regid"); context.Args.Add(user);
                    context.Args.Add("--init-groups"); context.Args.Add("--");
                    context.Args.Add(Path.Combine(bin, "postgres"));
                }
                foreach (var arg in (string[])["-D", dataDirectory, "-p", port.ToString(CultureInfo.InvariantCulture), "-h", "127.0.0.1", "-k", socketDirectory!,
                    "-c", "max_connections=300", "-c", "shared_buffers=256MB", "-c", "log_min_messages=warning", "-c", "log_line_prefix=%m [%p] "])
                {
                    context.Args.Add(arg);
                }
                if (hosting.Ephemeral)
                {
                    // Test clusters are thrown away: trade the server's own crash safety for speed.
                    foreach (var arg in (string[])["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"])
                    {
                        context.Args.Add(arg);
                    }
                }
            })
            .WithIconName("DatabaseMultiple")
            .WithHealthCheck(healthCheck);
    }

    private static async Task PublishDatabaseStateAsync(IServiceProvider services, PostgresProcessResource server, string state)
    {
        var notifications = services.GetRequiredService<ResourceNotificationService>();
        var model = services.GetRequiredService<DistributedApplicationModel>();
        foreach (var database in model.Resources.OfType<PostgresProcessDatabaseResource>().Where(d => d.Parent == server))
        {
            await notifications.PublishUpdateAsync(database, snapshot => snapshot with
            {
                State = state,
                StartTimeStamp = state == KnownResourceStates.Running ? DateTime.UtcNow : snapshot.StartTimeStamp,
                StopTimeStamp = state == KnownResourceStates.Running ? null : DateTime.UtcNow,
            }).ConfigureAwait(false);
        }
    }

    /// <summary>A database created on the server once it answers; healthy when it accepts connections.</summary>
    public static IResourceBuilder<PostgresProcessDatabaseResource> AddDatabase(this IResourceBuilder<PostgresProcessResource> builder, string name, string? databaseName = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var database = new PostgresProcessDatabaseResource(name, databaseName ?? name, builder.Resource);
        builder.Resource.Databases[name] = database.DatabaseName;

        string? connectionString = null;
        builder.ApplicationBuilder.Eventing.Subscribe<ConnectionStringAvailableEvent>(database, async (_, ct) =>
            connectionString = await database.ConnectionStringExpression.GetValueAsync(ct).ConfigureAwait(false));
        var healthCheck = $"{name}_check";
        builder.ApplicationBuilder.Services.AddHealthChecks().AddNpgSql(_ => connectionString is null
            ? throw new InvalidOperationException($"The connection string of '{name}' is not available yet.")
            : connectionString + ";Timeout=3;Pooling=false", name: healthCheck);
        return builder.ApplicationBuilder.AddResource(database).WithHealthCheck(healthCheck);
    }
}
