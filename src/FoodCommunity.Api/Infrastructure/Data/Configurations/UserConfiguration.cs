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
        builder.Property(u => u.DeletedAt).HasPrecision(6);
        // A deleted account vanishes from every read at once; only the erasure looks past this.
        builder.HasQueryFilter(u => u.DeletedAt == null);
        builder.Property(u => u.CreatedAt).HasPrecision(6);
        builder.Property(u => u.UpdatedAt).HasPrecision(6);
    }
}

internal sealed class AccountErasureConfiguration : IEntityTypeConfiguration<AccountErasure>
{
    public void Configure(EntityTypeBuilder<AccountErasure> builder)
    {
        builder.ToTable("account_erasures");
        builder.HasKey(e => e.UserId);
        builder.Property(e => e.Step).HasMaxLength(32).IsRequired();
        builder.Property(e => e.RequestedAt).HasPrecision(6);
        builder.Property(e => e.LeaseUntil).HasPrecision(6);
        builder.Property(e => e.CompletedAt).HasPrecision(6);
        // No foreign key: the record outlives the user row, as proof the erasure ran.
    }
}

internal sealed class UserSearchTermConfiguration : IEntityTypeConfiguration<UserSearchTerm>
{
    public void Configure(EntityTypeBuilder<UserSearchTerm> builder)
    {
        builder.ToTable("user_search_terms");
        // Prefix search and keyset paging are one range of this key; binary: terms are folded already.
        builder.HasKey(t => new { t.Term, t.UserId });
        builder.Property(t => t.Term).HasMaxLength(Domain.Accounts.AccountRules.SearchTermMaxLength).UseCollation("utf8mb4_bin");
        builder.HasIndex(t => t.UserId);
    }
}
