using Microsoft.Extensions.Configuration;

namespace Coinage.Web.Tests.Infrastructure;

/// <summary>In-memory configuration that signals a reload when a value changes, as a changed file or a Kubernetes ConfigMap would.</summary>
public sealed class ReloadableConfigurationSource : IConfigurationSource
{
    private readonly Provider _provider = new();

    public IConfigurationProvider Build(IConfigurationBuilder builder) => _provider;

    public void Set(string key, string? value) => _provider.SetAndReload(key, value);

    private sealed class Provider : ConfigurationProvider
    {
        public void SetAndReload(string key, string? value)
        {
            Data[key] = value;
            OnReload();
        }
    }
}
