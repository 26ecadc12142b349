using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Elasticsearch;
using Coinage.Hosting.MailDev;
using Coinage.Hosting.Postgres;
using Coinage.Hosting.Redis;

namespace Coinage.Hosting.Publishing;

/// <summary>CPU and memory a container asks for and may not exceed, and the volume it keeps.</summary>
internal sealed record ResourceSizes(string CpuRequest, string MemoryRequest, string CpuLimit, string MemoryLimit, string? Storage = null);

/// <summary>
/// How a server resource of the model (PostgreSQL, Redis, Elasticsearch, MailDev) runs as a
/// container: the same facts for Kubernetes and Compose, so both publishers agree.
/// </summary>
/// <param name="UserId">The non-root user the image is built for.</param>
/// <param name="DataPath">Where the server keeps its data (a volume), if anywhere.</param>
/// <param name="Secrets">Environment variables taken from secret parameters.</param>
/// <param name="ReadyCommand">A shell command that exits 0 once the server answers.</param>
/// <param name="ScratchPaths">Folders the server writes besides its data, so the root filesystem can stay read-only.</param>
/// <param name="SeededPaths">Folders the entrypoint edits (a keystore in the config folder): writable copies of the image's content.</param>
/// <param name="InitFiles">Files for <paramref name="InitDirectory"/>, run by the entrypoint on first start.</param>
internal sealed record BackingService(
    IResource Resource,
    string Image,
    long UserId,
    string? DataPath,
    IReadOnlyList<string> Command,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, ParameterResource> Secrets,
    string ReadyCommand,
    ResourceSizes Sizes,
    IReadOnlyList<string> ScratchPaths,
    IReadOnlyList<string> SeededPaths,
    string? InitDirectory = null,
    IReadOnlyDictionary<string, string>? InitFiles = null)
{
    public string Name => Resource.Name;

    public IEnumerable<EndpointAnnotation> Endpoints => Resource.Endpoints();

    /// <summary>The server behind <paramref name="resource"/>, or null for a resource that is not a server we run.</summary>
    /// <param name="secretReference">How the target refers to a secret environment variable in a command line.</param>
    public static BackingService? For(IResource resource, Func<string, string> secretReference) => resource switch
    {
        PostgresServerResource postgres => new(postgres, ContainerImages.Postgres, 999, "/var/lib/postgresql/data",
            Command: [],
            Settings: new Dictionary<string, string>
            {
                ["POSTGRES_USER"] = PostgresServerResource.UserName,
                // A subfolder: the root of a fresh volume holds lost+found, which initdb refuses.
                ["PGDATA"] = "/var/lib/postgresql/data/pgdata",
            },
            Secrets: new Dictionary<string, ParameterResource> { ["POSTGRES_PASSWORD"] = postgres.Password },
            ReadyCommand: $"pg_isready -h 127.0.0.1 -U {PostgresServerResource.UserName}",
            Sizes: new("250m", "512Mi", "2", "2Gi", "20Gi"),
            ScratchPaths: ["/var/run/postgresql", "/tmp"],
            SeededPaths: [],
            InitDirectory: "/docker-entrypoint-initdb.d",
            InitFiles: new Dictionary<string, string> { ["10-databases.sql"] = CreateDatabases(postgres) }),

        RedisResource redis => new(redis, ContainerImages.Redis, 999, "/data",
            Command: ["redis-server", "--requirepass", secretReference(redis.Password.EnvironmentName), "--appendonly", "yes", "--dir", "/data"],
            Settings: new Dictionary<string, string>(),
            // REDISCLI_AUTH lets the readiness check authenticate without the password on its command line.
            Secrets: new Dictionary<string, ParameterResource> { [redis.Password.EnvironmentName] = redis.Password, ["REDISCLI_AUTH"] = redis.Password },
            ReadyCommand: "redis-cli ping | grep -q PONG",
            Sizes: new("100m", "128Mi", "1", "512Mi", "2Gi"),
            ScratchPaths: ["/tmp"],
            SeededPaths: []),

        ElasticsearchResource search => new(search, ContainerImages.Elasticsearch, 1000, "/usr/share/elasticsearch/data",
            Command: [],
            Settings: new Dictionary<string, string>
            {
                ["discovery.type"] = "single-node",
                ["xpack.security.enabled"] = "true",
                // Single node inside the cluster network: no transport peers; HTTP stays plain inside the NetworkPolicy.
                ["xpack.security.http.ssl.enabled"] = "false",
                ["xpack.security.transport.ssl.enabled"] = "false",
                // Without mmap Elasticsearch needs no vm.max_map_count, so no privileged sysctl init container.
                ["node.store.allow_mmap"] = "false",
                ["ES_JAVA_OPTS"] = "-Xms512m -Xmx512m",
            },
            Secrets: new Dictionary<string, ParameterResource> { ["ELASTIC_PASSWORD"] = search.Password },
            ReadyCommand: "curl -fsS -o /dev/null -u \"elastic:$ELASTIC_PASSWORD\" \"http://127.0.0.1:9200/_cluster/health?wait_for_status=yellow&timeout=2s\"",
            Sizes: new("500m", "1Gi", "2", "2Gi", "20Gi"),
            ScratchPaths: ["/tmp", "/usr/share/elasticsearch/logs"],
            SeededPaths: ["/usr/share/elasticsearch/config"]),

        MailDevResource mail => new(mail, ContainerImages.MailDev, 1000, null,
            Command: [],
            Settings: new Dictionary<string, string>
            {
                ["MAILDEV_SMTP_PORT"] = mail.GetEndpoint("smtp").TargetPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["MAILDEV_WEB_PORT"] = mail.GetEndpoint("http").TargetPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            },
            Secrets: new Dictionary<string, ParameterResource>(),
            ReadyCommand: $"wget -q -O /dev/null http://127.0.0.1:{mail.GetEndpoint("http").TargetPort}/healthz",
            Sizes: new("50m", "64Mi", "500m", "256Mi"),
            ScratchPaths: ["/tmp"],
            SeededPaths: []),

        _ => null,
    };

    /// <summary>The official image creates one database; the others of the model are created by an init script.</summary>
    private static string CreateDatabases(PostgresServerResource postgres) =>
        "-- Generated from the app model: the databases of this server.\n"
        + string.Concat(postgres.Databases.Select(d => $"CREATE DATABASE \"{d.DatabaseName}\";\n"));
}
