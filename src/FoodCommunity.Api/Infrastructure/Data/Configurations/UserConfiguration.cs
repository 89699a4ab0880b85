using FoodCommunity.Domain.Uploads;
using FoodCommunity.Api.Users;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace FoodCommunity.Api.Infrastructure.Data.Configurations;

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users");
        builder.HasKey(u => u.Id);
        builder.Property(u => u.Id).ValueGeneratedNever();

        builder.Property(u => u.Username).HasMaxLength(30).IsRequired();
        builder.HasIndex(u => u.Username).IsUnique();

        builder.Property(u => u.Email).HasMaxLength(254).IsRequired();
        builder.Property(u => u.EmailNormalized).HasMaxLength(254).IsRequired();
        builder.HasIndex(u => u.EmailNormalized).IsUnique();

        builder.Property(u => u.PasswordHash).HasMaxLength(200).IsRequired();
        builder.Property(u => u.DisplayName).HasMaxLength(50).IsRequired();
        builder.Property(u => u.Bio).HasMaxLength(300).IsRequired();
        builder.Property(u => u.AvatarKey).HasMaxLength(UploadKey.MaxLength);

        builder.Property(u => u.SuspendedUntil).HasPrecision(6);
        builder.Property(u => u.CreatedAt).HasPrecision(6);
        builder.Property(u => u.UpdatedAt).HasPrecision(6);
    }
}
