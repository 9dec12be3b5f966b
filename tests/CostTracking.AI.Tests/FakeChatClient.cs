using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;

namespace CostTracking.AI.Tests;

/// <summary>A chat client that answers with set text and usage, and remembers the options it was called with.</summary>
internal sealed class FakeChatClient : IChatClient
{
    public string? ModelId { get; set; } = "gpt-4o-2024-08-06";

    /// <summary>Gets or sets the usage reported; for streaming, each item is sent in its own update after the text.</summary>
    public List<UsageDetails> Usage { get; } = [];

    public ChatClientMetadata Metadata { get; set; } = new("fakeai", null, null);

    public List<ChatOptions?> Calls { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        Calls.Add(options);
        var usage = new UsageDetails();
        foreach (var part in Usage)
        {
            usage.Add(part);
        }

        return Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "Hello!"))
        {
            ModelId = ModelId,
            Usage = Usage.Count == 0 ? null : usage,
        });
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(
        IEnumerable<ChatMessage> messages,
        ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        Calls.Add(options);
        foreach (var word in new[] { "Hel", "lo", "!" })
        {
            await Task.Yield();
            yield return new ChatResponseUpdate(ChatRole.Assistant, word) { ModelId = ModelId };
        }

        foreach (var part in Usage)
        {
            await Task.Yield();
            yield return new ChatResponseUpdate { Contents = [new UsageContent(part)], ModelId = ModelId };
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(ChatClientMetadata) ? Metadata
        : serviceKey is null && serviceType.IsInstanceOfType(this) ? this
        : null;

    public void Dispose()
    {
    }
}
