using System.Security.Cryptography;

namespace Coinage.Hosting.ApplicationModel;

/// <summary>
/// A value supplied from configuration (<c>Parameters:name</c>), or generated when it is a
/// secret nobody supplied. Generated secrets of a local run are kept in the data directory so
/// that a database initialised with one keeps working on the next run.
/// </summary>
public sealed class ParameterResource(string name, Func<string> resolve, bool secret) : Resource(name)
{
    private readonly Lazy<string> _value = new(resolve);

    public override string ResourceType => "Parameter";

    public bool IsSecret { get; } = secret;

    public string Value => _value.Value;

    /// <summary>The environment variable name a manifest uses for this parameter: POSTGRES_PASSWORD.</summary>
    public string EnvironmentName => Name.Replace('-', '_').ToUpperInvariant();
}

public static class SecretGenerator
{
    private const string Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

    /// <summary>
    /// A random password of letters and digits only, so it needs no quoting in connection
    /// strings, URLs or shell commands. 22 characters give ~131 bits.
    /// </summary>
    public static string Generate(int length = 22)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 16);
        return RandomNumberGenerator.GetString(Alphabet, length);
    }
}
