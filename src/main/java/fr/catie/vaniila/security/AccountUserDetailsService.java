package fr.catie.vaniila.security;

import fr.catie.vaniila.identity.Accounts;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.core.userdetails.UsernameNotFoundException;
import org.springframework.stereotype.Service;

/** Loads accounts for form login. */
@Service
public class AccountUserDetailsService implements UserDetailsService {

    private final Accounts accounts;

    public AccountUserDetailsService(Accounts accounts) {
        this.accounts = accounts;
    }

    @Override
    public UserDetails loadUserByUsername(String username) {
        return accounts.credentials(username == null ? "" : username.trim())
                .map(c -> new VaniilaUser(c.caller(), c.passwordHash(), c.account().enabled()))
                .orElseThrow(() -> new UsernameNotFoundException("unknown user"));
    }
}
