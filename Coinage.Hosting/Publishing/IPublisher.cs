using Coinage.Hosting.ApplicationModel;

namespace Coinage.Hosting.Publishing;

/// <summary>Writes deployment artifacts for the app model (<c>publish --target NAME --output DIR</c>).</summary>
public interface IPublisher
{
    /// <summary>The value of <c>--target</c> this publisher answers to.</summary>
    string Target { get; }

    Task PublishAsync(AppModel model, string outputDirectory, CancellationToken cancellationToken);
}
