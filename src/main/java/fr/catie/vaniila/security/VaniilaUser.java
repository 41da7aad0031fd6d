package fr.catie.vaniila.security;

import java.util.Collection;
import java.util.List;

import fr.catie.vaniila.identity.Caller;
import fr.catie.vaniila.identity.Role;
import org.springframework.security.core.CredentialsContainer;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.UserDetails;

/** The authenticated principal, web session or API token alike: it carries the module-API {@link Caller}. */
public final class VaniilaUser implements UserDetails, CredentialsContainer {

    private final Caller caller;
    private String passwordHash;
    private final boolean enabled;

    public VaniilaUser(Caller caller, String passwordHash, boolean enabled) {
        this.caller = caller;
        this.passwordHash = passwordHash;
        this.enabled = enabled;
    }

    public Caller caller() {
        return caller;
    }

    static List<GrantedAuthority> authorities(Role role) {
        return switch (role) {
            case USER -> List.of(new SimpleGrantedAuthority("ROLE_USER"));
            case ORG_ADMIN -> List.of(new SimpleGrantedAuthority("ROLE_USER"), new SimpleGrantedAuthority("ROLE_ORG_ADMIN"));
            case PLATFORM_ADMIN -> List.of(new SimpleGrantedAuthority("ROLE_USER"),
                    new SimpleGrantedAuthority("ROLE_ORG_ADMIN"), new SimpleGrantedAuthority("ROLE_PLATFORM_ADMIN"));
        };
    }

    @Override
    public Collection<? extends GrantedAuthority> getAuthorities() {
        return authorities(caller.role());
    }

    @Override
    public String getPassword() {
        return passwordHash;
    }

    @Override
    public String getUsername() {
        return caller.username();
    }

    @Override
    public boolean isEnabled() {
        return enabled;
    }

    @Override
    public void eraseCredentials() {
        passwordHash = null;
    }
}
