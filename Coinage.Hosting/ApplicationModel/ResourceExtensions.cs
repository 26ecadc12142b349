namespace Coinage.Hosting.ApplicationModel;

public static class ResourceExtensions
{
    public static IEnumerable<EndpointAnnotation> Endpoints(this IResource resource) =>
        resource.Annotations.OfType<EndpointAnnotation>();

    public static EndpointAnnotation GetEndpoint(this IResource resource, string name) =>
        resource.Endpoints().FirstOrDefault(e => e.Name == name)
        ?? throw new InvalidOperationException($"{resource} has no endpoint named '{name}'.");

    public static bool IsOptional(this IResource resource) =>
        resource.Annotations.OfType<OptionalAnnotation>().Any();

    /// <summary>Resources this one waits for before it starts.</summary>
    public static IEnumerable<IResource> WaitsFor(this IResource resource) =>
        resource.Annotations.OfType<WaitAnnotation>().Select(a => a.Target).Distinct();

    /// <summary>Resources this one consumes.</summary>
    public static IEnumerable<IResource> References(this IResource resource) =>
        resource.Annotations.OfType<ReferenceAnnotation>().Select(a => a.Target).Distinct();

    /// <summary>The resource that owns the process: the server for a database, else itself.</summary>
    public static IResource ProcessOwner(this IResource resource) =>
        resource is IResourceWithParent child ? child.Parent.ProcessOwner() : resource;

    /// <summary>
    /// Everything a resource must have running first: what it waits for, what it references,
    /// and its parent; the order in which a part of the model is started and stopped.
    /// </summary>
    public static IEnumerable<IResource> Dependencies(this IResource resource)
    {
        var direct = resource.WaitsFor().Concat(resource.References());
        if (resource is IResourceWithParent child)
        {
            direct = direct.Append(child.Parent);
        }
        return direct.Distinct();
    }
}
