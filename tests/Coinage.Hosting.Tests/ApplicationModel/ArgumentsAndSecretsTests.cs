using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Testing;

namespace Coinage.Hosting.Tests.ApplicationModel;

public class ArgumentsAndSecretsTests
{
    [Fact]
    public void Run_is_the_default_operation_and_other_arguments_go_to_configuration()
    {
        var (operation, target, output, rest) = CoinageExecutionContext.ParseArguments(["--Coinage:FreePorts=true"]);
        Assert.Equal(CoinageOperation.Run, operation);
        Assert.Null(target);
        Assert.Null(output);
        Assert.Equal(["--Coinage:FreePorts=true"], rest);
    }

    [Fact]
    public void Publish_needs_a_target_and_an_output()
    {
        var (operation, target, output, _) = CoinageExecutionContext.ParseArguments(["publish", "--target", "kubernetes", "--output", "out"]);
        Assert.Equal((CoinageOperation.Publish, "kubernetes", "out"), (operation, target, output));
        Assert.Throws<ArgumentException>(() => CoinageExecutionContext.ParseArguments(["publish", "--target", "kubernetes"]));
        Assert.Throws<ArgumentException>(() => CoinageExecutionContext.ParseArguments(["publish", "--output"]));
    }

    [Fact]
    public void Generated_secrets_are_long_random_and_need_no_quoting()
    {
        var secrets = Enumerable.Range(0, 200).Select(_ => SecretGenerator.Generate()).ToList();
        Assert.All(secrets, s => Assert.Matches("^[A-Za-z0-9]{22}$", s));
        Assert.Equal(secrets.Count, secrets.Distinct().Count());
        Assert.Throws<ArgumentOutOfRangeException>(() => SecretGenerator.Generate(8));
    }

    [Fact]
    public void A_secret_parameter_nobody_configured_is_generated_once_per_model()
    {
        var builder = CoinageTestingBuilder.Create();
        var password = builder.AddParameter("db-password", secret: true).Resource;
        Assert.Matches("^[A-Za-z0-9]{22}$", password.Value);
        Assert.Equal(password.Value, password.Value);
        Assert.NotEqual(password.Value, CoinageTestingBuilder.Create().AddParameter("db-password", secret: true).Resource.Value);
    }

    [Fact]
    public void A_configured_parameter_wins_and_a_missing_plain_one_is_a_clear_error()
    {
        var builder = CoinageTestingBuilder.Create("--Parameters:db-password=from-config");
        Assert.Equal("from-config", builder.AddParameter("db-password", secret: true).Resource.Value);

        var missing = builder.AddParameter("region");
        var error = Assert.Throws<InvalidOperationException>(() => missing.Resource.Value);
        Assert.Contains("Parameters__region", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Secrets_of_a_local_run_survive_a_restart_and_are_private()
    {
        var directory = Directory.CreateTempSubdirectory("coinage-secrets-").FullName;
        try
        {
            var path = Path.Combine(directory, "secrets.json");
            var first = new SecretStore(path).GetOrGenerate("postgres-password");
            Assert.Equal(first, new SecretStore(path).GetOrGenerate("postgres-password"));
            Assert.NotEqual(first, new SecretStore(path).GetOrGenerate("redis-password"));
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
