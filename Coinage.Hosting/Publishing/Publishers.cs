namespace Coinage.Hosting.Publishing;

/// <summary>The publish targets the AppHost knows (<c>publish --target NAME</c>).</summary>
internal static class Publishers
{
    public static IEnumerable<IPublisher> Create() => [new Kubernetes.KubernetesPublisher(), new Compose.ComposePublisher()];
}
