namespace Coinage.Hosting.ApplicationModel;

/// <summary>Fluent handle on a resource while the model is being built.</summary>
public interface IResourceBuilder<out T> where T : IResource
{
    CoinageApplicationBuilder ApplicationBuilder { get; }

    T Resource { get; }

    IResourceBuilder<T> WithAnnotation(IResourceAnnotation annotation);
}

internal sealed class ResourceBuilder<T>(CoinageApplicationBuilder applicationBuilder, T resource) : IResourceBuilder<T> where T : IResource
{
    public CoinageApplicationBuilder ApplicationBuilder { get; } = applicationBuilder;

    public T Resource { get; } = resource;

    public IResourceBuilder<T> WithAnnotation(IResourceAnnotation annotation)
    {
        Resource.Annotations.Add(annotation);
        return this;
    }
}
