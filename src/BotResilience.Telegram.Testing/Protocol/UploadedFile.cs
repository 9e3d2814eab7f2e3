namespace BotResilience.Telegram.Testing.Protocol;

/// <summary>A file part of a multipart request.</summary>
internal sealed record UploadedFile(string FieldName, string? FileName, string? ContentType, long Length);
