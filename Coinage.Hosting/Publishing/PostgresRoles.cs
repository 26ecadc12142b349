using Aspire.Hosting.ApplicationModel;

namespace Coinage.Hosting.Publishing;

/// <summary>Which of a database's roles a container connects as.</summary>
internal enum DatabaseAccess
{
    /// <summary>A service: reads and writes rows, owns nothing.</summary>
    App,

    /// <summary>The migrator (<see cref="MigrationsAnnotation"/>): owns the database and its schema.</summary>
    Owner,
}

/// <summary>A login role of a published database and the secret that holds its password.</summary>
internal sealed record PostgresRole(string Name, string PasswordKey);

/// <summary>
/// The least-privilege roles of a PostgreSQL database in a deployment. The model knows one superuser (the
/// image's <c>postgres</c>); a deployment must not hand it to the services. Each database gets an owner role,
/// used only by the migrator, and an app role for the services, which may read and write the owner's tables
/// (through default privileges, so tables of later migrations are covered) and create schemas of its own
/// (the Worker's Hangfire storage), but cannot change the application's schema. The superuser's password stays
/// with the server and the backup job.
/// </summary>
internal static class PostgresRoles
{
    public static PostgresRole For(PostgresDatabaseResource database, DatabaseAccess access)
    {
        var name = ModelExtensions.EnvironmentName(database.DatabaseName).ToLowerInvariant();
        var suffix = access == DatabaseAccess.Owner ? "owner" : "app";
        return new($"{name}_{suffix}", $"{name.ToUpperInvariant()}_{suffix.ToUpperInvariant()}_PASSWORD");
    }

    public static IEnumerable<PostgresRole> All(PostgresDatabaseResource database) =>
        [For(database, DatabaseAccess.Owner), For(database, DatabaseAccess.App)];

    /// <summary>
    /// The Npgsql connection string for <paramref name="access"/>: the shape of Aspire's own
    /// (<c>Host=…;Port=…;Username=…;Password=…;Database=…</c>) with the role instead of the superuser.
    /// </summary>
    public static string ConnectionString(PostgresDatabaseResource database, DatabaseAccess access, string password)
    {
        var server = database.Parent;
        var port = server.PublishedEndpoints()[0].ContainerPort();
        return $"Host={server.Name};Port={port};Username={For(database, access).Name};Password={password};Database={database.DatabaseName}";
    }

    /// <summary>
    /// The connection properties Aspire adds beside the connection string (<c>COINAGEDB_USERNAME</c>, …) that name
    /// the superuser, rewritten for the role; null for the others, which the model's own values describe correctly.
    /// </summary>
    public static string? ConnectionProperty(PostgresDatabaseResource database, DatabaseAccess access, string property, Func<string> password)
    {
        var role = For(database, access);
        var server = database.Parent;
        return property.ToUpperInvariant() switch
        {
            "USERNAME" => role.Name,
            "PASSWORD" => password(),
            "URI" => $"postgresql://{role.Name}:{password()}@{server.Name}:{server.PublishedEndpoints()[0].ContainerPort()}/{database.DatabaseName}",
            _ => null,
        };
    }

    /// <summary>The file the official image runs on first start (docker-entrypoint-initdb.d).</summary>
    public const string InitScriptName = "10-databases.sh";

    /// <summary>
    /// Creates the databases of <paramref name="server"/> with their roles. A shell script, not SQL: the role
    /// passwords come from the container's environment (the Secret), passed to psql as variables so that no
    /// password is ever written into the script or quoted by hand.
    /// </summary>
    public static string InitScript(PostgresServerResource server, IEnumerable<PostgresDatabaseResource> databases)
    {
        var script = new System.Text.StringBuilder();
        script.Append("#!/bin/sh\n");
        script.Append("# Generated from the app model: the databases of this server, each owned by a role of its own, and\n");
        script.Append("# the least-privilege role its services connect as. Runs once, on an empty data directory, sourced by\n");
        script.Append("# the image's entrypoint, which stops at the first failure (psql: ON_ERROR_STOP).\n");
        // Only the databases' own roles connect to them; nobody but the superuser to the maintenance database.
        script.Append("psql -v ON_ERROR_STOP=1 --username \"$POSTGRES_USER\" --dbname postgres -c 'REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC;'\n");
        foreach (var database in databases.Where(d => d.Parent == server))
        {
            var owner = For(database, DatabaseAccess.Owner);
            var app = For(database, DatabaseAccess.App);
            var db = $"\"{database.DatabaseName}\"";
            script.Append($"psql -v ON_ERROR_STOP=1 --username \"$POSTGRES_USER\" --dbname postgres \\\n");
            script.Append($"  -v owner_password=\"${owner.PasswordKey}\" -v app_password=\"${app.PasswordKey}\" <<'SQL'\n");
            script.Append($"CREATE ROLE {owner.Name} LOGIN PASSWORD :'owner_password';\n");
            script.Append($"CREATE ROLE {app.Name} LOGIN PASSWORD :'app_password';\n");
            script.Append($"CREATE DATABASE {db} OWNER {owner.Name};\n");
            script.Append($"REVOKE ALL ON DATABASE {db} FROM PUBLIC;\n");
            // CREATE: the Worker installs Hangfire's storage in a schema of its own, which it then owns.
            script.Append($"GRANT CONNECT, TEMPORARY, CREATE ON DATABASE {db} TO {app.Name};\n");
            script.Append($"\\connect {db}\n");
            script.Append($"ALTER SCHEMA public OWNER TO {owner.Name};\n");
            script.Append("REVOKE ALL ON SCHEMA public FROM PUBLIC;\n");
            script.Append($"GRANT USAGE ON SCHEMA public TO {app.Name};\n");
            // Whatever the owner creates later (migrations) is usable by the app role, and nothing more.
            script.Append($"ALTER DEFAULT PRIVILEGES FOR ROLE {owner.Name} GRANT USAGE ON SCHEMAS TO {app.Name};\n");
            script.Append($"ALTER DEFAULT PRIVILEGES FOR ROLE {owner.Name} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {app.Name};\n");
            script.Append($"ALTER DEFAULT PRIVILEGES FOR ROLE {owner.Name} GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {app.Name};\n");
            script.Append("SQL\n");
        }
        return script.ToString();
    }
}
