using System.Linq.Expressions;
using System.Reflection;

namespace BotResilience.MTProto.Classification;

/// <summary>
/// The readable integer members of one exception type that matter for MTProto classification
/// (<c>Code</c>, <c>X</c>, <c>Seconds</c>), as compiled delegates. Built once per type.
/// </summary>
internal sealed class ExceptionShape
{
    private readonly Func<Exception, long?>? _code;
    private readonly Func<Exception, long?>? _x;
    private readonly Func<Exception, long?>? _seconds;

    private ExceptionShape(Type type)
    {
        _code = Compile(type, "Code");
        _x = Compile(type, "X");
        _seconds = Compile(type, "Seconds");
        TypeName = type.Name;
    }

    /// <summary>The simple name of the exception type (Telethon ports are recognised by it).</summary>
    public string TypeName { get; }

    /// <summary><see langword="true"/> when the type has a readable integer <c>Code</c>.</summary>
    public bool HasCode => _code is not null;

    /// <summary><see langword="true"/> when the type has a readable integer <c>Seconds</c>.</summary>
    public bool HasSeconds => _seconds is not null;

    /// <summary><see langword="true"/> when the type has a readable integer <c>X</c>.</summary>
    public bool HasX => _x is not null;

    public static ExceptionShape Create(Type type) => new(type);

    public long? ReadCode(Exception exception) => Read(_code, exception);

    public long? ReadX(Exception exception) => Read(_x, exception);

    public long? ReadSeconds(Exception exception) => Read(_seconds, exception);

    private static long? Read(Func<Exception, long?>? accessor, Exception exception)
    {
        if (accessor is null)
        {
            return null;
        }

        try
        {
            return accessor(exception);
        }
#pragma warning disable CA1031 // A throwing getter on an unfamiliar exception must never break classification.
        catch (Exception)
#pragma warning restore CA1031
        {
            return null;
        }
    }

    private static Func<Exception, long?>? Compile(Type type, string name)
    {
        var member = FindMember(type, name, StringComparison.Ordinal) ?? FindMember(type, name, StringComparison.OrdinalIgnoreCase);
        if (member is null)
        {
            return null;
        }

        var parameter = Expression.Parameter(typeof(Exception), "e");
        var typed = Expression.Convert(parameter, type);
        Expression access = member is FieldInfo field ? Expression.Field(typed, field) : Expression.Property(typed, (PropertyInfo)member);
        var body = Expression.Convert(access, typeof(long?));
        return Expression.Lambda<Func<Exception, long?>>(body, parameter).Compile();
    }

    private static MemberInfo? FindMember(Type type, string name, StringComparison comparison)
    {
        const BindingFlags Flags = BindingFlags.Public | BindingFlags.Instance;

        // Most-derived declaration first: GetFields/GetProperties list derived members before inherited ones.
        foreach (var field in type.GetFields(Flags))
        {
            if (string.Equals(field.Name, name, comparison) && IsInteger(field.FieldType))
            {
                return field;
            }
        }

        foreach (var property in type.GetProperties(Flags))
        {
            if (string.Equals(property.Name, name, comparison) && property.CanRead && property.GetIndexParameters().Length == 0
                && property.GetMethod is { IsPublic: true } && IsInteger(property.PropertyType))
            {
                return property;
            }
        }

        return null;
    }

    private static bool IsInteger(Type type)
    {
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        return underlying == typeof(int) || underlying == typeof(long) || underlying == typeof(short)
            || underlying == typeof(uint) || underlying == typeof(ushort) || underlying == typeof(byte) || underlying == typeof(sbyte);
    }
}
