using Coinage.Hosting.ApplicationModel;
using Coinage.Hosting.Orchestration;

namespace Coinage.Hosting.Redis;

public sealed class RedisResource : Resource, IResourceWithConnectionString, IRunnableResource
{
    public const int DefaultPort = 6379;

    public RedisResource(string name, ParameterResource password) : base(name)
    {
        Password = password;
        Annotations.Add(new EndpointAnnotation(this, "tcp", "tcp", DefaultPort));
    }

    public override string ResourceType => "Redis";

    public ParameterResource Password { get; }

    /// <summary>StackExchange.Redis configuration string, as Aspire writes it.</summary>
    public string GetConnectionString(IValueContext context) =>
        $"{context.HostAndPort(this.GetEndpoint("tcp"))},password={context.Value(Password)}";

    public IResourceRunner CreateRunner(RunContext context) => new RedisRunner(this, context);
}

public static class RedisBuilderExtensions
{
    public static IResourceBuilder<RedisResource> AddRedis(this CoinageApplicationBuilder builder, string name)
    {
        var password = builder.AddParameter($"{name}-password", secret: true);
        return builder.AddResource(new RedisResource(name, password.Resource));
    }
}
