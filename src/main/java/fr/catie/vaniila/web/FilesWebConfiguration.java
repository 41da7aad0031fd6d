package fr.catie.vaniila.web;

import fr.catie.vaniila.files.UserFiles;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.web.servlet.config.annotation.InterceptorRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/** Web settings of the Files pages: the upload's room check, first of all interceptors (see {@link FilesController.RoomCheck}). */
@Configuration(proxyBeanMethods = false)
public class FilesWebConfiguration implements WebMvcConfigurer {

    private final UserFiles files;

    public FilesWebConfiguration(UserFiles files) {
        this.files = files;
    }

    @Override
    public void addInterceptors(InterceptorRegistry registry) {
        registry.addInterceptor(new FilesController.RoomCheck(files)).addPathPatterns("/files/upload")
                .order(Ordered.HIGHEST_PRECEDENCE);
    }
}
