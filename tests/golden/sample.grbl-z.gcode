; strokebot VERSION, profile grbl-z (bundled): GRBL, grblHAL or FluidNC with the
; pen on the Z axis; depth follows pressure
; page 60 x 20 mm, Y up: flipped against the page height, pen width 1.5 mm
; 3 strokes, 14 points (simplified from 14, tolerance 0.75 mm)
; pen-down length 82.8 mm, pen-up travel 19.7 mm
; estimated plot time 9.6 s, the whole program from X0 Y0 Z0 (feed 1500 mm/min,
; plunge 500 mm/min, G0 at the max rates); it assumes GRBL $110=3000 $111=3000
; $112=500 mm/min, $120=500 $121=500 $122=50 mm/s^2 (see yours with $$): a
; machine set slower plots slower
; Z moves together with X and Y, so pressure changes along a stroke never stop
; the motion.
G21
G90
G94
G0 Z3.000
G0 X21.000 Y10.000
G1 Z-0.500 F500
G1 X19.243 Y5.050 Z-0.641 F1500
G1 X15.000 Y3.000 Z-0.700
G1 X10.757 Y5.050 Z-0.641
G1 X9.000 Y10.000 Z-0.500
G1 X10.757 Y14.950 Z-0.359
G1 X15.000 Y17.000 Z-0.300
G1 X19.243 Y14.950 Z-0.359
G1 X21.000 Y10.000 Z-0.500
G0 Z3.000
G0 X35.000 Y17.000
G1 Z-0.200 F500
G1 X38.000 Y3.000 Z-0.800 F1500
G1 X41.000 Y17.000 Z-0.500
G1 X44.000 Y3.000 Z-0.900
G0 Z3.000
G0 X47.500 Y5.000
G1 Z-0.600 F500
G0 Z3.000
G0 X0 Y0
M2
