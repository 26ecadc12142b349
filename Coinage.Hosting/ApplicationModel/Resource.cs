namespace Coinage.Hosting.ApplicationModel;

/// <summary>Something the app model runs or points at: a database, a cache, a service.</summary>
public interface IResource
{
    string Name { get; }

    /// <summary>A short type name shown to ops ("Project", "Postgres", ...).</summary>
    string ResourceType { get; }

    IList<IResourceAnnotation> Annotations { get; }
}

/// <summary>Marker for the facts a builder method attaches to a resource.</summary>
public interface IResourceAnnotation;

public abstract class Resource(string name) : IResource
{
    public string Name { get; } = ResourceNames.Validate(name);

    public abstract string ResourceType { get; }

    public IList<IResourceAnnotation> Annotations { get; } = new List<IResourceAnnotation>();

    public override string ToString() => $"{ResourceType} '{Name}'";
}

/// <summary>A resource that lives inside another one (a database inside a server).</summary>
public interface IResourceWithParent : IResource
{
    IResource Parent { get; }
}

/// <summary>A resource that other resources reach through a connection string.</summary>
public interface IResourceWithConnectionString : IResource
{
    /// <summary>The key under <c>ConnectionStrings</c> that dependents read.</summary>
    string ConnectionStringName => Name;

    /// <summary>
    /// The connection string as seen from <paramref name="context"/>: local addresses and
    /// values in a local run, service names and secret references in a manifest.
    /// </summary>
    string GetConnectionString(IValueContext context);
}

/// <summary>A resource whose start-up has no process of its own and whose lifetime is its parent's.</summary>
public interface IResourceWithoutProcess : IResource;

public static class ResourceNames
{
    /// <summary>
    /// Names become environment variable segments, DNS labels and Kubernetes object names, so
    /// they are restricted to what all three accept.
    /// </summary>
    public static string Validate(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Length > 63 || !char.IsAsciiLetterLower(name[0]) || name[^1] == '-'
            || name.Any(c => !(char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')))
        {
            throw new ArgumentException(
                $"Resource name '{name}' is invalid: use 1-63 lower-case letters, digits or '-', starting with a letter.",
                nameof(name));
        }
        return name;
    }
}
