package io.granary.security.signed;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a signed URL grants, as carried (signed) in its token. Short field names keep URLs short.
 *
 * @param v format version (1)
 * @param kid id of the signing key
 * @param t tenant id
 * @param b bucket id
 * @param k object key
 * @param m {@code GET} or {@code PUT}; {@code UPLOAD} for the URL of an upload intent, which
 *     only the upload route accepts
 * @param exp expiry, epoch seconds
 * @param d download file name for GET, or {@code null}
 * @param ct the media type a PUT must declare, or {@code null}
 * @param max the largest body a PUT may send, or {@code null}
 * @param ik id of the API key that issued the URL: revoking that key revokes the URL
 * @param u the upload intent whose bytes an {@code UPLOAD} token sends, else {@code null}
 * @param tf the image transform a GET URL is pinned to ({@link TransformPin}), or {@code null}
 *     when it allows any
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record SignedUrlToken(int v, String kid, String t, String b, String k, String m, long exp, String d, String ct, Long max,
                      String ik, String u, String tf) {
}
